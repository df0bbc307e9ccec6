//! A corpus of bad and unusual inputs, run as a hostile but ordinary user
//! would. Every case must end without a panic or an abort, with one short
//! line on standard error when it fails, exit status 2 for bad input, no
//! non-finite number printed with status 0, and no file lost or partially
//! written. Each case belongs to a class; the classes and their counts are
//! printed (`cargo test -p boltzmann-cli --test hostile -- --nocapture`).

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::*;
use flate2::Compression;
use flate2::write::GzEncoder;

/// What a case must end with.
enum Expect {
    /// Exit status 2 and a message containing every needle.
    Bad(&'static [&'static str]),
    /// Exit status 0 and only finite numbers in the output.
    Fine,
}

struct Case {
    class: &'static str,
    args: Vec<String>,
    expect: Expect,
}

fn rbm_toml(b: &str, c: &str, w: &str) -> String {
    format!("format = \"rbm\"\nversion = 1\nvisible_bias = {b}\nhidden_bias = {c}\nweights = {w}\n")
}

fn idx_images(n: u32, rows: u32, cols: u32) -> Vec<u8> {
    let mut bytes = vec![0, 0, 8, 3];
    for d in [n, rows, cols] {
        bytes.extend(d.to_be_bytes());
    }
    bytes.extend((0..n * rows * cols).map(|k| (k * 37 % 256) as u8));
    bytes
}

fn idx_labels(n: u32) -> Vec<u8> {
    let mut bytes = vec![0, 0, 8, 1];
    bytes.extend(n.to_be_bytes());
    bytes.extend((0..n).map(|k| (k % 10) as u8));
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// An IDX folder with train and t10k splits of the given image sizes.
fn idx_folder(root: &Path, name: &str, train: (u32, u32, u32), test: (u32, u32, u32)) -> PathBuf {
    let folder = root.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    for (split, (n, rows, cols)) in [("train", train), ("t10k", test)] {
        let images = folder.join(format!("{split}-images-idx3-ubyte"));
        std::fs::write(images, idx_images(n, rows, cols)).unwrap();
        let labels = folder.join(format!("{split}-labels-idx1-ubyte"));
        std::fs::write(labels, idx_labels(n)).unwrap();
    }
    folder
}

/// Every file under `root` with its bytes, to see what a case changed.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn has_non_finite(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            matches!(
                word.to_ascii_lowercase().as_str(),
                "nan" | "inf" | "infinity"
            )
        })
}

fn check(case: &Case, root: &Path) {
    let before = snapshot(root);
    let output = boltzmann()
        .args(&case.args)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let what = format!("[{}] {:?}: {stderr}", case.class, case.args);
    assert!(!stderr.contains("panicked"), "panic: {what}");
    let code = output.status.code();
    assert!(code.is_some(), "killed by a signal: {what}");
    assert!(!matches!(code, Some(101) | Some(134)), "abort: {what}");
    match case.expect {
        Expect::Bad(needles) => {
            assert_eq!(code, Some(2), "exit status: {what}");
            assert_eq!(stderr.lines().count(), 1, "one line: {what}");
            assert!(stderr.len() < 400, "short message: {what}");
            for needle in needles {
                assert!(stderr.contains(needle), "{needle:?} missing: {what}");
            }
            assert_eq!(
                snapshot(root),
                before,
                "a failed command changed files: {what}"
            );
        }
        Expect::Fine => {
            assert_eq!(code, Some(0), "exit status: {what}");
            assert!(
                !has_non_finite(&stdout),
                "non-finite output: {what}\n{stdout}"
            );
            assert!(!has_non_finite(&stderr), "non-finite output: {what}");
        }
    }
    let after = snapshot(root);
    for (path, bytes) in &before {
        assert!(after.contains_key(path), "{} lost: {what}", path.display());
        if matches!(case.expect, Expect::Bad(_)) {
            assert_eq!(&after[path], bytes, "{} changed: {what}", path.display());
        }
    }
}

fn s(p: &Path) -> String {
    arg(p).to_string()
}

const DBN_TOML: &str = "format = \"dbn\"\nversion = 1\n\
    [[layers]]\nvisible_bias = [0.1, -0.2, 0.0]\nhidden_bias = [0.3, 0.0]\n\
    weights = [[0.5, -0.4, 0.3], [0.1, 0.2, -0.6]]\n\
    [[layers]]\nvisible_bias = [0.0, 0.1]\nhidden_bias = [0.2, -0.2]\n\
    weights = [[0.3, -0.3], [0.2, 0.5]]\n";

/// A 2-D energy that grows like `slope` |x_1| and 2 |x_2|; `bias` is the output bias.
fn ebm_toml(slope: &str, bias: &str) -> String {
    format!(
        "format = \"ebm\"\nversion = 1\nactivation = \"swish\"\n\
         [[layers]]\nweights = [[{slope}, 0.0], [-{slope}, 0.0], [0.0, 2.0], [0.0, -2.0]]\n\
         bias = [-1.0, -1.0, -1.0, -1.0]\n\
         [[layers]]\nweights = [[1.0, 1.0, 1.0, 1.0]]\nbias = [{bias}]\n"
    )
}

/// A list of `n` zeros as TOML.
fn zero_list(n: usize) -> String {
    format!("[{}]", vec!["0.0"; n].join(", "))
}

/// A zero matrix of `rows` x `cols` as TOML.
fn zeros(rows: usize, cols: usize) -> String {
    format!("[{}]", vec![zero_list(cols); rows].join(", "))
}

/// Regressions found by the audit: a 784 x 30 RBM (2^30 states, within
/// bm-exact's count limit) ran `logz --exact` for hours (2^24 states took 3
/// minutes of CPU); a 784-22-2 DBN on 200 examples would have run
/// `exact` for hours. Both are refused at once, naming the way out.
fn push_too_slow_cases(fx: &Fixture, cases: &mut Vec<Case>) {
    let n_visible = 784;
    let wide = fx.write(
        "wide-rbm.toml",
        &rbm_toml(&zero_list(n_visible), &zero_list(30), &zeros(30, n_visible)),
    );
    for command in [&["logz", "--exact"][..], &["exact"]] {
        let mut args: Vec<String> = command.iter().map(|a| a.to_string()).collect();
        args.push(s(&wide));
        cases.push(Case {
            class: "too slow to enumerate",
            args,
            expect: Expect::Bad(&["wide-rbm.toml", "2^30", "--ais"]),
        });
    }
    let layer = |n_v: usize, n_h: usize| {
        format!(
            "[[layers]]\nvisible_bias = {}\nhidden_bias = {}\nweights = {}\n",
            zero_list(n_v),
            zero_list(n_h),
            zeros(n_h, n_v)
        )
    };
    let net = fx.write(
        "wide-dbn.toml",
        &format!(
            "format = \"dbn\"\nversion = 1\n{}{}",
            layer(n_visible, 22),
            layer(22, 2)
        ),
    );
    let row = vec!["0"; n_visible].join(",") + "\n";
    let data = fx.write("wide-data.csv", &row.repeat(200));
    cases.push(Case {
        class: "too slow to enumerate",
        args: vec!["exact".into(), s(&net), "--data".into(), s(&data)],
        expect: Expect::Bad(&["wide-data.csv", "200 examples", "multiply-adds"]),
    });
}

/// Regressions found by the audit: DBN and EBM model arguments that are not
/// model files (a folder, binary bytes, an endless stream) exited 1 or hung;
/// EBM energies beyond f64 were reported as success (`mean_energy: null`,
/// log p = 0); flags that the chosen sampler ignores were accepted; zero
/// counts wrote an untrained model or sampled nothing.
fn push_dbn_and_ebm_cases(fx: &Fixture, cases: &mut Vec<Case>) {
    let root = fx.dir.path();
    let dbn = fx.write("net.toml", DBN_TOML);
    let ebm = fx.write("energy.toml", &ebm_toml("2.0", "0.0"));
    let binary = fx.write("data3.csv", "1,0,1\n0,1,1\n");
    let real = fx.write("real.csv", "0.1,0.2\n-0.5,1.0\n");
    let out = |name: &str| s(&root.join(name));
    let bad = |class, args: Vec<String>, needles| Case {
        class,
        args,
        expect: Expect::Bad(needles),
    };
    let folder = root.join("a-folder");
    let non_utf8 = root.join("non-utf8.bin");
    for (file, needle) in [
        (folder, "a-folder"),
        (non_utf8, "non-utf8.bin"),
        (PathBuf::from("/dev/zero"), "/dev/zero"),
        (root.join("missing.toml"), "missing.toml"),
        (
            fx.write(
                "gaussian-format.toml",
                &DBN_TOML.replace("\"dbn\"", "\"gaussian-rbm\""),
            ),
            "gaussian-format.toml",
        ),
    ] {
        let needles: &'static [&'static str] = Box::leak(vec![needle].into_boxed_slice());
        let m = s(&file);
        if needle == "gaussian-format.toml" {
            cases.push(bad(
                "exact on an unknown format",
                vec!["exact".into(), m, "--data".into(), s(&binary)],
                &["gaussian-format.toml", "`format`", "\"dbn\""],
            ));
            continue;
        }
        for args in [
            vec!["exact".into(), m.clone(), "--data".into(), s(&binary)],
            vec![
                "dbn".into(),
                "classify".into(),
                m.clone(),
                "--data".into(),
                s(&binary),
            ],
            vec![
                "dbn".into(),
                "features".into(),
                m.clone(),
                "--data".into(),
                s(&binary),
                "--out".into(),
                out("f.csv"),
            ],
            vec![
                "dbn".into(),
                "sample".into(),
                m.clone(),
                "-n".into(),
                "2".into(),
                "--out".into(),
                out("d.csv"),
            ],
            vec!["ebm".into(), "score".into(), m.clone(), s(&real)],
            vec![
                "ebm".into(),
                "sample".into(),
                m.clone(),
                "-n".into(),
                "2".into(),
                "--out".into(),
                out("e.csv"),
            ],
        ] {
            cases.push(bad("dbn/ebm model not a model file", args, needles));
        }
    }
    for (name, text, needles) in [
        (
            "ebm-huge-bias.toml",
            ebm_toml("2.0", "1e308"),
            &["ebm-huge-bias.toml", "quadrature"][..],
        ),
        (
            "ebm-huge-weight.toml",
            ebm_toml("1e30", "0.0"),
            &["ebm-huge-weight.toml", "quadrature"][..],
        ),
    ] {
        let model = fx.write(name, &text);
        cases.push(bad(
            "ebm energy beyond f64",
            vec![
                "ebm".into(),
                "score".into(),
                s(&model),
                s(&real),
                "--json".into(),
                "--out".into(),
                out("sc.csv"),
            ],
            needles,
        ));
        if name == "ebm-huge-bias.toml" {
            let args = vec![
                "ebm".into(),
                "sample".into(),
                s(&model),
                "-n".into(),
                "2".into(),
                "--steps".into(),
                "4".into(),
                "--out".into(),
                out("e.csv"),
            ];
            cases.push(bad(
                "ebm energy beyond f64",
                args,
                &["ebm-huge-bias.toml", "finite"],
            ));
        }
    }
    let (e, d, r, b) = (arg(&ebm), arg(&dbn), arg(&real), arg(&binary));
    for (args, needles) in [
        (
            vec!["ebm", "sample", e, "-n", "2", "--temperature", "2"],
            &["--temperature", "mala"][..],
        ),
        (
            vec![
                "ebm",
                "sample",
                e,
                "-n",
                "2",
                "--sampler",
                "annealed",
                "--temperature",
                "2",
            ],
            &["--temperature"][..],
        ),
        (
            vec![
                "ebm",
                "sample",
                e,
                "-n",
                "2",
                "--sampler",
                "ula",
                "--temper",
                "5",
            ],
            &["--temper", "ula"][..],
        ),
        (
            vec![
                "ebm",
                "train",
                "--data",
                r,
                "--hidden",
                "4",
                "--iterations",
                "0",
            ],
            &["n_iterations"][..],
        ),
        (
            vec![
                "ebm", "train", "--data", r, "--hidden", "4", "--split", "bogus",
            ],
            &["--split"][..],
        ),
        (
            vec!["ebm", "score", e, r, "--split", "bogus"],
            &["--split"][..],
        ),
        (
            vec!["train", "--data", b, "--hidden", "2", "--epochs", "0"],
            &["epochs"][..],
        ),
        (
            vec![
                "dbn", "train", "--data", b, "--layers", "2,2", "--epochs", "0",
            ],
            &["epochs"][..],
        ),
        (
            vec!["dbn", "sample", d, "-n", "2", "--gibbs-steps", "0"],
            &["--gibbs-steps"][..],
        ),
    ] {
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.extend(["--out".to_string(), out("flagged.out")]);
        cases.push(bad("dbn/ebm bad flag", args, needles));
    }
}

#[test]
fn hostile_inputs_end_cleanly() {
    let fx = Fixture::new();
    let root = fx.dir.path();
    let model = fx.write("model.toml", &small_rbm().to_toml());
    let data = fx.write("data.csv", &data_csv(&small_data()));
    let n = small_rbm().n_visible();
    let models = [
        (
            "zero-visible",
            rbm_toml("[]", "[0.0]", "[[]]"),
            "visible_bias",
        ),
        ("zero-all", rbm_toml("[]", "[]", "[]"), "visible_bias"),
        (
            "f32-overflow",
            rbm_toml("[1e39, 0.0]", "[0.0]", "[[0.0, 0.0]]"),
            "visible_bias",
        ),
        (
            "f64-energy",
            rbm_toml("[1e308, 1e308]", "[0.0]", "[[0.0, 0.0]]"),
            "visible_bias",
        ),
        (
            "f64-weights",
            rbm_toml("[0.0, 0.0]", "[0.0]", "[[1.7e308, 1.7e308]]"),
            "weights",
        ),
        (
            "nan",
            rbm_toml("[nan, 0.0]", "[0.0]", "[[0.0, 0.0]]"),
            "visible_bias",
        ),
        (
            "inf",
            rbm_toml("[inf, 0.0]", "[0.0]", "[[0.0, 0.0]]"),
            "visible_bias",
        ),
        (
            "shape",
            rbm_toml("[0.0, 0.0]", "[0.0]", "[[0.0]]"),
            "weights",
        ),
        (
            "version",
            rbm_toml("[0.0]", "[0.0]", "[[0.0]]").replace("version = 1", "version = 99"),
            "version",
        ),
        (
            "long-value",
            rbm_toml(
                &format!("[\"{}\"]", "x".repeat(100_000)),
                "[0.0]",
                "[[0.0]]",
            ),
            "visible_bias",
        ),
        (
            "unknown-field",
            rbm_toml("[0.0]", "[0.0]", "[[0.0]]") + "colour = 3\n",
            "colour",
        ),
    ];
    let mut cases = Vec::new();
    let bad = |class, args: Vec<String>, needles| Case {
        class,
        args,
        expect: Expect::Bad(needles),
    };
    for (name, text, field) in &models {
        let path = fx.write(&format!("{name}.toml"), text);
        let field: &'static str = Box::leak(field.to_string().into_boxed_str());
        let needles: &'static [&'static str] = Box::leak(vec![field].into_boxed_slice());
        // Parameters too large for f32 are fine in f64 (exact enumeration).
        let f32_only = *name == "f32-overflow";
        for command in [
            &["logz"][..],
            &["logz", "--ais", "--betas", "20"],
            &["exact"],
            &["sample", "-n", "3"],
        ] {
            let mut args: Vec<String> = command.iter().map(|a| a.to_string()).collect();
            args.push(s(&path));
            let uses_f32 = command.contains(&"--ais") || command[0] == "sample";
            if f32_only && !uses_f32 {
                cases.push(Case {
                    class: "unusual model",
                    args,
                    expect: Expect::Fine,
                });
            } else {
                cases.push(bad("bad model", args, needles));
            }
        }
    }
    // Unusual but valid models: no hidden units; parameters large in f64.
    let no_hidden = fx.write("no-hidden.toml", &rbm_toml("[0.5, -0.5]", "[]", "[]"));
    let large = fx.write(
        "large.toml",
        &rbm_toml("[1e300, -1e300]", "[1e300]", "[[1e300, -1e300]]"),
    );
    let two = fx.write("two.csv", "0,1\n1,0\n");
    for args in [
        vec!["logz".into(), s(&no_hidden)],
        vec![
            "logz".into(),
            s(&no_hidden),
            "--ais".into(),
            "--betas".into(),
            "20".into(),
        ],
        vec!["score".into(), s(&no_hidden), s(&two)],
        vec!["sample".into(), s(&no_hidden), "-n".into(), "3".into()],
        vec!["logz".into(), s(&large)],
        vec!["score".into(), s(&large), s(&two)],
    ] {
        cases.push(Case {
            class: "unusual model",
            args,
            expect: Expect::Fine,
        });
    }
    // Files that are not what they claim.
    let non_utf8 = root.join("non-utf8.bin");
    std::fs::write(&non_utf8, [0xff, 0xfe, 0x00, 0x80]).unwrap();
    let folder = root.join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let empty = fx.write("empty.csv", "");
    let ragged = fx.write("ragged.csv", &format!("{}\n0,1\n", vec!["0"; n].join(",")));
    let long_value = fx.write("long.csv", &"1".repeat(100_000));
    let wrong_width = fx.write("wide.csv", &format!("{}\n", vec!["0"; n + 1].join(",")));
    for (class, file, needles) in [
        ("not UTF-8", &non_utf8, &["non-utf8.bin"][..]),
        ("folder for a file", &folder, &["a-folder", "folder"][..]),
        (
            "endless input",
            &PathBuf::from("/dev/zero"),
            &["/dev/zero"][..],
        ),
    ] {
        cases.push(bad(class, vec!["logz".into(), s(file)], needles));
        cases.push(bad(
            class,
            vec!["score".into(), s(&model), s(file)],
            needles,
        ));
    }
    for (file, needles) in [
        (&empty, &["empty.csv", "no examples"][..]),
        (&ragged, &["ragged.csv", "line 2"][..]),
        (&long_value, &["long.csv"][..]),
        (&wrong_width, &["wide.csv", "values"][..]),
    ] {
        cases.push(bad(
            "bad data",
            vec!["score".into(), s(&model), s(file)],
            needles,
        ));
        cases.push(bad(
            "bad data",
            vec!["exact".into(), s(&model), "--data".into(), s(file)],
            needles,
        ));
    }
    // IDX folders.
    let mismatched = idx_folder(root, "mismatched", (4, 3, 3), (4, 2, 2));
    // As many pixels per image, but 2 x 8 against 4 x 4.
    let reshaped = idx_folder(root, "reshaped", (4, 4, 4), (4, 2, 8));
    let empty_images = idx_folder(root, "empty-images", (0, 0, 0), (0, 0, 0));
    let bomb = root.join("bomb");
    std::fs::create_dir(&bomb).unwrap();
    let mut header = idx_images(1, 2, 2)[..16].to_vec();
    header.extend(vec![0u8; 32 << 20]);
    std::fs::write(bomb.join("train-images-idx3-ubyte.gz"), gzip(&header)).unwrap();
    std::fs::write(bomb.join("train-labels-idx1-ubyte"), idx_labels(1)).unwrap();
    let out = |name: &str| s(&root.join(name));
    for (folder, needles) in [
        (&mismatched, &["mismatched", "t10k"][..]),
        (&reshaped, &["reshaped", "2 x 8", "4 x 4"][..]),
        (&empty_images, &["empty-images", "at least one image"][..]),
        (&bomb, &["bomb", "more follow"][..]),
    ] {
        let train = vec![
            "train".into(),
            "--data".into(),
            s(folder),
            "--hidden".into(),
            "2".into(),
            "--epochs".into(),
            "1".into(),
            "--out".into(),
            out("t.toml"),
        ];
        cases.push(bad("IDX", train, needles));
    }
    cases.push(bad(
        "IDX",
        vec![
            "score".into(),
            s(&model),
            s(&empty_images),
            "--threshold".into(),
            "0.5".into(),
        ],
        &["at least one image"],
    ));
    // Requests too large for the memory, or overflowing.
    for (args, needles) in [
        (
            vec![
                "train",
                "--data",
                arg(&data),
                "--hidden",
                "100000000000",
                "--epochs",
                "1",
            ],
            &["--hidden", "GiB"][..],
        ),
        (
            vec![
                "train",
                "--data",
                arg(&data),
                "--hidden",
                "2",
                "--batch-size",
                "18446744073709551615",
                "--epochs",
                "1",
            ],
            &["--batch-size"][..],
        ),
        (
            vec!["sample", arg(&model), "-n", "100000000000000"],
            &["-n", "GiB"][..],
        ),
        (
            vec![
                "sample",
                arg(&model),
                "-n",
                "10",
                "--chains",
                "10000000000000",
            ],
            &["--chains"][..],
        ),
        (
            vec!["logz", arg(&model), "--ais", "--chains", "100000000000"],
            &["--chains", "GiB"][..],
        ),
        (
            vec!["logz", arg(&model), "--ais", "--betas", "100000000000"],
            &["--betas", "GiB"][..],
        ),
    ] {
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        if args[0] == "train" {
            args.extend(["--out".to_string(), out("big.toml")]);
        }
        cases.push(bad("too large", args, needles));
    }
    // Outputs: in a missing folder, a folder, an input of the same command.
    let missing = s(&root.join("no-such-folder").join("x.csv"));
    for (args, needles) in [
        (
            vec![
                "sample".into(),
                s(&model),
                "-n".into(),
                "3".into(),
                "--out".into(),
                missing.clone(),
            ],
            &["no-such-folder"][..],
        ),
        (
            vec![
                "sample".into(),
                s(&model),
                "-n".into(),
                "3".into(),
                "--out".into(),
                out("ok.csv"),
                "--png".into(),
                missing.clone(),
            ],
            &["no-such-folder"][..],
        ),
        (
            vec![
                "sample".into(),
                s(&model),
                "-n".into(),
                "3".into(),
                "--out".into(),
                s(&folder),
            ],
            &["a-folder"][..],
        ),
        (
            vec![
                "score".into(),
                s(&model),
                s(&data),
                "--out".into(),
                s(&data),
                "--force".into(),
            ],
            &["input"][..],
        ),
        (
            vec![
                "exact".into(),
                s(&model),
                "--data".into(),
                s(&data),
                "--gradient".into(),
                s(&model),
                "--force".into(),
            ],
            &["input"][..],
        ),
        (
            vec![
                "train".into(),
                "--data".into(),
                s(&data),
                "--hidden".into(),
                "2".into(),
                "--out".into(),
                s(&data),
                "--force".into(),
            ],
            &["input"][..],
        ),
        (
            vec![
                "train".into(),
                "--data".into(),
                s(&data),
                "--hidden".into(),
                "2".into(),
                "--out".into(),
                missing.clone(),
            ],
            &["no-such-folder"][..],
        ),
        (
            vec!["filters".into(), s(&model), "--out".into(), s(&folder)],
            &["a-folder"][..],
        ),
        (
            vec![
                "score".into(),
                s(&model),
                s(&data),
                "--out".into(),
                "/dev/null".into(),
                "--force".into(),
            ],
            &["regular file"][..],
        ),
    ] {
        cases.push(bad("outputs", args, needles));
    }
    // DBN and EBM commands: bad model files, values too large for f64.
    push_dbn_and_ebm_cases(&fx, &mut cases);
    // Models small enough to enumerate by count but not in minutes.
    push_too_slow_cases(&fx, &mut cases);
    // Flags with values that cannot work.
    for (args, needles) in [
        (
            vec!["logz", arg(&model), "--ais", "--chains", "0"],
            &["--chains"][..],
        ),
        (
            vec!["logz", arg(&model), "--ais", "--betas", "1"],
            &["--betas"][..],
        ),
        (vec!["sample", arg(&model), "-n", "0"], &["--samples"][..]),
        (
            vec!["sample", arg(&model), "-n", "3", "--every", "0"],
            &["--every"][..],
        ),
        (
            vec!["sample", arg(&model), "-n", "3", "--tempering", "nan"],
            &["--tempering"][..],
        ),
        (
            vec!["score", arg(&model), arg(&data), "--threshold", "nan"],
            &["--threshold"][..],
        ),
        (
            vec![
                "train",
                "--data",
                arg(&data),
                "--hidden",
                "2",
                "--lr",
                "inf",
            ],
            &["learning_rate"][..],
        ),
        (
            vec!["train", "--data", arg(&data), "--hidden", "0"],
            &["n_hidden"][..],
        ),
    ] {
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        if args[0] == "train" {
            args.extend(["--out".to_string(), out("flag.toml")]);
        }
        cases.push(bad("bad flag", args, needles));
    }

    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for case in &cases {
        check(case, root);
        *counts.entry(case.class).or_default() += 1;
    }
    // Checkpoints that were changed or damaged after they were written.
    let trained = root.join("m.toml");
    let train = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["train", "--data", arg(&data), "--hidden", "2", "--quiet"];
        args.extend(["--out", arg(&trained)]);
        args.extend(extra);
        args.iter().map(|a| a.to_string()).collect()
    };
    let status = boltzmann()
        .args(train(&["--epochs", "2"]))
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    let checkpoint = root.join("m.toml.checkpoint");
    let pristine = std::fs::read(&checkpoint).unwrap();
    let text_end = pristine.iter().rposition(|&b| b == b'\n').unwrap();
    let tampered: Vec<(&str, Vec<u8>)> = vec![
        ("one bit flipped in a value", {
            let mut b = pristine.clone();
            *b.last_mut().unwrap() ^= 1;
            b
        }),
        (
            "header edited",
            String::from_utf8_lossy(&pristine[..text_end])
                .replace("\"epochs_done\":2", "\"epochs_done\":1")
                .into_bytes()
                .into_iter()
                .chain(pristine[text_end..].iter().copied())
                .collect(),
        ),
        ("truncated", pristine[..pristine.len() - 3].to_vec()),
        ("empty", Vec::new()),
        ("old format", b"boltzmann-checkpoint 1\n{}\n".to_vec()),
    ];
    for (what, bytes) in tampered {
        let file = root.join(format!("tampered-{}.bytes", what.replace(' ', "-")));
        std::fs::write(&file, &bytes).unwrap();
        std::fs::copy(&file, &checkpoint).unwrap();
        let args = train(&["--epochs", "3", "--resume"]);
        check(
            &Case {
                class: "checkpoint tampering",
                args,
                expect: Expect::Bad(&["m.toml.checkpoint"]),
            },
            root,
        );
        *counts.entry("checkpoint tampering").or_default() += 1;
    }
    std::fs::write(&checkpoint, &pristine).unwrap();
    check(
        &Case {
            class: "checkpoint tampering",
            args: train(&["--epochs", "3", "--resume"]),
            expect: Expect::Fine,
        },
        root,
    );
    *counts.entry("checkpoint tampering").or_default() += 1;

    let total: usize = counts.values().sum();
    println!("hostile cases per class: {counts:?} ({total} in all)");
}

/// A reader that closes the pipe early ends the program quietly.
#[test]
fn closed_stdout_ends_quietly() {
    let fx = Fixture::new();
    let model = fx.write("model.toml", &small_rbm().to_toml());
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("boltzmann"))
        .args(["sample", arg(&model), "-n", "200000", "--burn-in", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("error"),
        "{stderr}"
    );
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}
