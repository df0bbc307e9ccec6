//! Write every bars-and-stripes image of a given size as CSV.
//!
//! ```console
//! cargo run -p datasets --example write_bas -- 3 3 data/bars-and-stripes-3x3.csv [--force]
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let force = args.iter().any(|a| a == "--force");
    let positional: Vec<&String> = args.iter().filter(|a| *a != "--force").collect();
    let [rows, cols, path] = positional[..] else {
        eprintln!("usage: write_bas ROWS COLS OUT.csv [--force]");
        return ExitCode::from(2);
    };
    let (Ok(rows), Ok(cols)) = (rows.parse::<usize>(), cols.parse::<usize>()) else {
        eprintln!("error: ROWS and COLS must be whole numbers");
        return ExitCode::from(2);
    };
    if rows.max(cols) > datasets::MAX_SIDE {
        eprintln!(
            "error: ROWS and COLS must be at most {}",
            datasets::MAX_SIDE
        );
        return ExitCode::from(2);
    }
    let data = datasets::bars_and_stripes(rows, cols);
    match datasets::write_csv(path, data.view(), force) {
        Ok(()) => {
            println!(
                "wrote {} images of {rows}x{cols} pixels to {path}",
                data.nrows()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(if e.is_bad_input() { 2 } else { 1 })
        }
    }
}
