//! `boltzmann train` and `boltzmann filters` end to end.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{boltzmann, interrupt_when};

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// `train` on bars and stripes 3x3 with the given extra arguments.
fn train_bas(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    let data = repo("data/bars-and-stripes-3x3.csv");
    let mut args = vec!["train", "--data", data.to_str().unwrap(), "--hidden", "6"];
    args.extend(["--batch-size", "7", "--lr", "0.1", "--seed", "5", "--quiet"]);
    args.extend(["--out", out.to_str().unwrap()]);
    args.extend(extra);
    boltzmann().args(&args).assert()
}

fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

#[test]
fn trains_and_reports_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.toml");
    let assert = train_bas(&out, &["--epochs", "200", "--json"]).success();
    let report: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(report["epochs_done"], 200);
    assert_eq!(report["n_examples"], 14);
    assert_eq!(
        (report["n_visible"].clone(), report["n_hidden"].clone()),
        (9.into(), 6.into())
    );
    // Predicting every pixel by its mean (0.5) gives 9 x 0.25 = 2.25.
    assert!(report["reconstruction_error"].as_f64().unwrap() < 1.0);
    let model = std::fs::read_to_string(&out).unwrap();
    assert!(model.contains("format = \"rbm\""), "{model}");
    assert!(dir.path().join("model.toml.checkpoint").is_file());
}

/// The checkpoint is an ordinary file like the model (0644), not the
/// private 0600 of a temporary file.
#[cfg(unix)]
#[test]
fn checkpoint_has_the_permissions_of_the_model_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.toml");
    train_bas(&out, &["--epochs", "2"]).success();
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&out), 0o644);
    assert_eq!(mode(&dir.path().join("model.toml.checkpoint")), 0o644);
}

#[test]
fn resuming_gives_the_bits_of_an_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    for extra in [&["--cd", "1"][..], &["--pcd"][..]] {
        let straight = dir.path().join("straight.toml");
        let resumed = dir.path().join("resumed.toml");
        train_bas(&straight, &[&["--epochs", "3", "--force"], extra].concat()).success();
        train_bas(&resumed, &[&["--epochs", "2", "--force"], extra].concat()).success();
        let first = std::fs::read(&resumed).unwrap();
        let assert = train_bas(
            &resumed,
            &[&["--epochs", "3", "--resume", "--json"], extra].concat(),
        )
        .success();
        let report: serde_json::Value =
            serde_json::from_slice(&assert.get_output().stdout).unwrap();
        assert_eq!(report["resumed_from_epoch"], 2);
        let (a, b) = (
            std::fs::read(&straight).unwrap(),
            std::fs::read(&resumed).unwrap(),
        );
        assert_eq!(a, b, "{extra:?}: 3 epochs straight vs 2 + 1 resumed");
        assert_ne!(first, b, "the resumed epoch changed the model");
        let checkpoints = ["straight.toml.checkpoint", "resumed.toml.checkpoint"]
            .map(|name| std::fs::read(dir.path().join(name)).unwrap());
        assert_eq!(checkpoints[0], checkpoints[1]);
    }
}

/// Zero epochs would write the random start as if it were a trained model:
/// refused, naming the field, and nothing is written.
#[test]
fn zero_epochs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.toml");
    let assert = train_bas(&out, &["--epochs", "0"]).failure().code(2);
    let message = stderr_of(&assert);
    assert!(message.contains("epochs"), "{message}");
    assert!(!out.exists());
    assert!(!dir.path().join("m.toml.checkpoint").exists());
}

#[test]
fn resume_refuses_other_settings() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.toml");
    train_bas(&out, &["--epochs", "1"]).success();
    let assert = train_bas(
        &out,
        &["--epochs", "2", "--resume", "--weight-decay", "0.01"],
    )
    .failure()
    .code(2);
    let message = stderr_of(&assert);
    assert!(
        message.contains("m.toml.checkpoint") && message.contains("train.weight_decay"),
        "{message}"
    );
    let missing = dir.path().join("other.toml");
    let assert = train_bas(&missing, &["--resume"]).failure().code(2);
    assert!(stderr_of(&assert).contains("other.toml.checkpoint"));
}

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.toml");
    train_bas(&out, &["--epochs", "1"]).success();
    let before = std::fs::read(&out).unwrap();
    let assert = train_bas(&out, &["--epochs", "1", "--weight-decay", "0.001"])
        .failure()
        .code(2);
    let message = stderr_of(&assert);
    assert!(
        message.starts_with("error: ") && message.contains("m.toml: already exists"),
        "{message}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), before);
    train_bas(&out, &["--epochs", "1", "--force"]).success();
}

fn train_with_config(text: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("train.toml");
    std::fs::write(&config, text).unwrap();
    let assert = boltzmann()
        .args(["train", config.to_str().unwrap(), "--quiet"])
        .current_dir(dir.path())
        .assert()
        .failure()
        .code(2);
    let message = stderr_of(&assert);
    assert_eq!(message.lines().count(), 1, "one line: {message}");
    assert!(!message.contains("panicked"), "{message}");
    (message, config.display().to_string())
}

#[test]
fn bad_configurations_exit_2_naming_file_and_field() {
    let data = repo("data/bars-and-stripes-3x3.csv").display().to_string();
    let head = format!("data = {data:?}\nn_hidden = 4\nout = \"m.toml\"\n");
    let train = "learning_rate = 0.1\nweight_decay = 0.0\nbatch_size = 7\nepochs = 2\nseed = 1\n";
    let cases = [
        (format!("{head}colour = \"blue\"\n"), "colour"),
        (
            format!("{head}[train]\n{train}estimator = {{ kind = \"cd\", k = 0 }}\n"),
            "train.estimator.k",
        ),
        (
            format!(
                "{head}[train]\n{}estimator = {{ kind = \"cd\", k = 1 }}\n",
                train.replace("0.1", "-0.5")
            ),
            "train.learning_rate",
        ),
        (
            format!("{head}[train]\n{train}estimator = {{ kind = \"cd\", k = 1 }}\nspeed = 2\n"),
            "speed",
        ),
    ];
    for (text, field) in cases {
        let (message, config) = train_with_config(&text);
        assert!(message.contains(&config), "names the file: {message}");
        assert!(message.contains(field), "names {field}: {message}");
    }
}

#[test]
fn a_good_configuration_file_trains() {
    let dir = tempfile::tempdir().unwrap();
    let data = repo("data/bars-and-stripes-3x3.csv").display().to_string();
    let text = format!(
        "data = {data:?}\nn_hidden = 4\nout = \"m.toml\"\nbinarize = {{ kind = \"none\" }}\n\
         [train]\nlearning_rate = 0.1\nweight_decay = 0.0\nbatch_size = 7\nepochs = 2\nseed = 1\n\
         estimator = {{ kind = \"pcd\", k = 2, n_chains = 5 }}\n"
    );
    std::fs::write(dir.path().join("train.toml"), text).unwrap();
    boltzmann()
        .args(["train", "train.toml", "--quiet"])
        .current_dir(dir.path())
        .assert()
        .success();
    assert!(dir.path().join("m.toml").is_file());
}

#[test]
fn filters_are_written_as_a_decodable_png() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.toml");
    train_bas(&model, &["--epochs", "2"]).success();
    let png_path = dir.path().join("filters.png");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "filters",
            model.to_str().unwrap(),
            "--out",
            png_path.to_str().unwrap(),
        ];
        args.extend(extra);
        boltzmann().args(&args).assert()
    };
    run(&["--rows", "3"]).success();
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    // 6 filters of 3 x 3 in 3 lines of 2, with one-pixel borders.
    assert_eq!((info.width, info.height), (2 * 4 + 1, 3 * 4 + 1));
    // Normalised per filter: each 3 x 3 image has a black and a white pixel.
    let first: Vec<u8> = (1..4)
        .flat_map(|r| (1..4).map(move |c| (r, c)))
        .map(|(r, c)| pixels[r * info.width as usize + c])
        .collect();
    assert!(first.contains(&0) && first.contains(&255), "{first:?}");
    let assert = run(&[]).failure().code(2);
    assert!(stderr_of(&assert).contains("already exists"));
    run(&["--force"]).success();
    // 2 visible units: not a square image.
    let odd = dir.path().join("odd.toml");
    std::fs::write(
        &odd,
        "format = \"rbm\"\nversion = 1\nvisible_bias = [0.0, 0.0]\nhidden_bias = [0.0]\nweights = [[1.0, 2.0]]\n",
    )
    .unwrap();
    let assert = boltzmann()
        .args([
            "filters",
            odd.to_str().unwrap(),
            "--out",
            dir.path().join("o.png").to_str().unwrap(),
        ])
        .assert()
        .failure()
        .code(2);
    assert!(stderr_of(&assert).contains("not a perfect square"));
}

#[test]
fn ctrl_c_saves_and_resume_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.toml");
    let checkpoint = dir.path().join("m.toml.checkpoint");
    let mnist = repo("data/mnist-10k");
    let args = |epochs: &str| {
        vec![
            "train".to_string(),
            "--data".into(),
            mnist.display().to_string(),
            "--hidden".into(),
            "20".into(),
            "--batch-size".into(),
            "100".into(),
            "--epochs".into(),
            epochs.into(),
            "--out".into(),
            out.display().to_string(),
        ]
    };
    let first = args("1000");
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    // Interrupt a little after the checkpoint written before the first epoch.
    let output = interrupt_when(&first, || {
        checkpoint.exists() && {
            std::thread::sleep(Duration::from_millis(300));
            true
        }
    });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted") && stderr.contains("--resume"),
        "{stderr}"
    );
    assert!(!out.exists(), "no model before training finished");
    // The checkpoint is whole: resuming reads it and finishes the run.
    let mut resume = args("1");
    resume.extend(["--resume".into(), "--json".into()]);
    boltzmann().args(&resume).assert().success();
    assert!(out.is_file());
}

#[test]
fn a_diverging_run_exits_2_and_keeps_the_last_finite_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.toml");
    let data = repo("data/bars-and-stripes-3x3.csv");
    let args = ["train", "--data", data.to_str().unwrap(), "--hidden", "6"];
    let assert = boltzmann()
        .args(args)
        .args(["--lr", "1e30", "--epochs", "5", "--seed", "5", "--quiet"])
        .args(["--out", out.to_str().unwrap()])
        .assert()
        .failure()
        .code(2);
    let message = stderr_of(&assert);
    assert!(
        message.contains("diverged") && message.contains("learning_rate"),
        "{message}"
    );
    assert_eq!(message.trim_end().lines().count(), 1, "{message}");
    assert!(!out.exists(), "no model file from a diverged run");
    // Whatever checkpoint is left holds finite numbers only.
    let checkpoint = dir.path().join("m.toml.checkpoint");
    if checkpoint.exists() {
        let text = std::fs::read_to_string(&checkpoint).unwrap();
        assert!(!text.contains("nan") && !text.contains("inf"), "{text}");
    }
}

/// `--resume` compares the data by their contents: the same file under
/// another name resumes, a file changed since the first run is refused.
#[test]
fn resume_compares_the_data_not_their_name() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    std::fs::copy(repo("data/bars-and-stripes-3x3.csv"), &data).unwrap();
    let out = dir.path().join("m.toml");
    let train = |data: &Path, extra: &[&str]| {
        let mut args = vec!["train", "--data", data.to_str().unwrap(), "--hidden", "4"];
        args.extend(["--seed", "5", "--quiet", "--out", out.to_str().unwrap()]);
        args.extend(extra);
        boltzmann().args(&args).assert()
    };
    train(&data, &["--epochs", "1"]).success();
    let renamed = dir.path().join("sub/../data.csv");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    train(&renamed, &["--epochs", "2", "--resume"]).success();

    let mut text = std::fs::read_to_string(&data).unwrap();
    text = text.replacen('0', "1", 1);
    std::fs::write(&data, text).unwrap();
    let assert = train(&data, &["--epochs", "3", "--resume"])
        .failure()
        .code(2);
    let message = stderr_of(&assert);
    assert!(
        message.contains("m.toml.checkpoint") && message.contains("other training data"),
        "{message}"
    );
    // A changed setting is named as such, before the data are compared.
    let extra = ["--epochs", "3", "--resume", "--weight-decay", "0.01"];
    let message = stderr_of(&train(&data, &extra).failure().code(2));
    assert!(message.contains("train.weight_decay"), "{message}");
}
