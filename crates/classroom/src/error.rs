//! What can be wrong with an assignment's source or with the command's input.
//! Every message names the file (and the line or field) and what was expected.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ClassroomError {
    #[error("{}:{line}: {problem}", path.display())]
    Marker {
        path: PathBuf,
        line: usize,
        problem: String,
    },
    #[error("{}: {problem}", path.display())]
    Invalid { path: PathBuf, problem: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ClassroomError {
    pub fn invalid(path: impl Into<PathBuf>, problem: impl Into<String>) -> Self {
        Self::Invalid {
            path: path.into(),
            problem: problem.into(),
        }
    }

    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}

/// Read a text file, naming it in the error.
pub fn read(path: &std::path::Path) -> Result<String, ClassroomError> {
    std::fs::read_to_string(path).map_err(ClassroomError::io(path))
}
