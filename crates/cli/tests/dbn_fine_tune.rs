//! `boltzmann dbn train --fine-tune-epochs N` (or a `[fine_tune]` table):
//! the fine-tuned net is saved as `[classifier]` and used by `dbn classify`;
//! a checkpoint after every fine-tuning epoch, so that `--resume` (after a
//! stop or Ctrl-C) ends with the same bytes as an uninterrupted run; bad
//! settings exit 2 naming the flag or `table.key`.

mod common;

use std::path::Path;

use common::*;

/// 2 + 3 greedy epochs, then `fine_tune_epochs` of fine-tuning.
fn args<'a>(
    data: &'a Path,
    labels: &'a Path,
    out: &'a Path,
    fine_tune_epochs: &'a str,
) -> Vec<&'a str> {
    vec![
        "dbn",
        "train",
        "--data",
        arg(data),
        "--labels",
        arg(labels),
        "--layers",
        "6,8",
        "--epochs",
        "2,3",
        "--fine-tune-epochs",
        fine_tune_epochs,
        "--fine-tune-rate",
        "0.5",
        "--seed",
        "3",
        "--out",
        arg(out),
    ]
}

#[test]
fn fine_tuning_writes_the_classifier_and_resumes_to_the_same_bytes() {
    let fx = Fixture::new();
    let (data, labels) = write_two_class_data(&fx);
    let straight = fx.path("straight.toml");
    let json = run_json(&args(&data, &labels, &straight, "20"));
    assert_eq!(json["fine_tune_epochs"], 20);
    let tuned = json["fine_tuned_accuracy"].as_f64().unwrap();
    assert!(tuned > 0.95, "{json}");
    let text = std::fs::read_to_string(&straight).unwrap();
    assert_eq!(text.matches("[[classifier.layers]]").count(), 3, "{text}");

    // dbn classify uses the fine-tuned classifier and finds the same accuracy.
    let classify = run_json(&[
        "dbn",
        "classify",
        arg(&straight),
        "--data",
        arg(&data),
        "--labels",
        arg(&labels),
    ]);
    assert_eq!(classify["method"], "classifier");
    assert_eq!(classify["accuracy"].as_f64(), Some(tuned));

    // Stopped in greedy training (epoch 3 of 5), then in fine-tuning (after
    // 4 of its epochs), then finished: the same file, byte for byte.
    let resumed = fx.path("resumed.toml");
    for (stop, resume) in [("3", false), ("6", true)] {
        let mut a = args(&data, &labels, &resumed, "20");
        if resume {
            a.push("--resume");
        }
        a.extend(["--stop-after-epochs", stop]);
        let output = boltzmann().args(&a).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(130), "{stderr}");
        assert!(!resumed.exists(), "no model before training ends");
        if resume {
            assert!(
                stderr.contains("holds the state after fine-tuning epoch 4 of 20"),
                "{stderr}"
            );
        }
    }
    let mut a = args(&data, &labels, &resumed, "20");
    a.push("--resume");
    boltzmann().args(&a).assert().success();
    assert_eq!(text, std::fs::read_to_string(&resumed).unwrap());

    // Resuming with other fine-tuning settings is refused.
    let mut a = args(&data, &labels, &resumed, "21");
    a.extend(["--resume", "--force"]);
    expect_bad_input(&a, &["resumed.toml.checkpoint", "field `settings`"]);
}

#[test]
fn ctrl_c_in_fine_tuning_stops_at_a_checkpoint_and_resume_finishes_the_same_model() {
    let fx = Fixture::new();
    let (data, labels) = write_two_class_data(&fx);
    let interrupted = fx.path("interrupted.toml");
    let checkpoint = fx.path("interrupted.toml.checkpoint");
    let in_fine_tuning =
        || std::fs::read_to_string(&checkpoint).is_ok_and(|t| t.contains("\"fine_tune\":{\"net\""));
    let output = interrupt_when(
        &args(&data, &labels, &interrupted, "100000"),
        in_fine_tuning,
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.starts_with("interrupted: ")
            && stderr.contains("holds the state after fine-tuning epoch")
            && stderr.contains("--resume"),
        "{stderr}"
    );
    assert!(!interrupted.exists());
    // Where it stopped, an uninterrupted run of that many epochs ends the
    // same way: resume with the same settings and compare against a run of
    // the full length would take too long, so stop both at the same epoch.
    let done: usize = stderr
        .split("fine-tuning epoch ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    let straight = fx.path("straight.toml");
    let total = (5 + done + 3).to_string();
    let mut a = args(&data, &labels, &straight, "100000");
    a.extend(["--stop-after-epochs", &total]);
    let _ = boltzmann().args(&a).output().unwrap();
    let mut a = args(&data, &labels, &interrupted, "100000");
    a.extend(["--resume", "--stop-after-epochs", "3"]);
    let _ = boltzmann().args(&a).output().unwrap();
    assert_eq!(
        std::fs::read(fx.path("straight.toml.checkpoint")).unwrap(),
        std::fs::read(&checkpoint).unwrap()
    );
}

#[test]
fn bad_fine_tuning_settings_exit_2_naming_the_flag_or_field() {
    let fx = Fixture::new();
    let (data, labels) = write_two_class_data(&fx);
    let out = fx.path("out.toml");
    let no_labels = args(&data, &labels, &out, "5")
        .into_iter()
        .filter(|a| *a != "--labels" && *a != arg(&labels))
        .collect::<Vec<_>>();
    expect_bad_input(&no_labels, &["data.csv", "fine-tuning needs labels"]);
    let mut a = args(&data, &labels, &out, "5");
    a[13] = "0"; // --fine-tune-rate
    expect_bad_input(&a, &["--fine-tune-rate", "is 0"]);

    let layer = "[[layers]]\nn_hidden = 4\ntrain = { learning_rate = 0.1, weight_decay = 0.0, batch_size = 10, epochs = 1, estimator = { kind = \"cd\", k = 1 }, seed = 1 }\n";
    let table = |body: &str| format!("seed = 1\n{layer}[fine_tune]\n{body}");
    let good = "learning_rate = 0.5\nmomentum = 0.9\nweight_decay = 0.0\nbatch_size = 10\nepochs = 2\nseed = 1\n";
    let cases = [
        (
            good.replace("learning_rate = 0.5", "learning_rate = -1.0"),
            "fine_tune.learning_rate",
        ),
        (
            good.replace("momentum = 0.9", "momentum = 1.5"),
            "fine_tune.momentum",
        ),
        (
            good.replace("batch_size = 10", "batch_size = 0"),
            "fine_tune.batch_size",
        ),
        (format!("{good}rate = 1.0\n"), "unknown field `rate`"),
    ];
    for (body, field) in cases {
        let config = fx.write("config.toml", &table(&body));
        let run = [
            "dbn",
            "train",
            "--data",
            arg(&data),
            "--labels",
            arg(&labels),
            "--config",
            arg(&config),
            "--out",
            arg(&out),
        ];
        expect_bad_input(&run, &["config.toml", field]);
    }
    assert!(!out.exists());
    // The table itself works.
    let config = fx.write("config.toml", &table(good));
    let json = run_json(&[
        "dbn",
        "train",
        "--data",
        arg(&data),
        "--labels",
        arg(&labels),
        "--config",
        arg(&config),
        "--out",
        arg(&out),
    ]);
    assert_eq!(json["fine_tune_epochs"], 2);
    assert!(json["fine_tuned_accuracy"].is_number(), "{json}");
}
