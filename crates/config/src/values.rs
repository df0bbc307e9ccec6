//! The validated value types and the two errors they report.

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

/// A value outside the range of its type: what it was and what was expected.
/// It does not know the field; [`ValueError::at`] adds it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("is {value}; expected {expected}")]
pub struct ValueError {
    pub value: String,
    pub expected: &'static str,
}

impl ValueError {
    pub fn new(value: impl fmt::Display, expected: &'static str) -> Self {
        Self {
            value: value.to_string(),
            expected,
        }
    }

    /// The same problem, found in the field `field` (a dotted `table.key`).
    pub fn at(self, field: impl Into<String>) -> FieldError {
        FieldError::new(field, self.to_string())
    }
}

/// A field of a configuration that cannot be used, named as in the file.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("field `{field}`: {problem}")]
pub struct FieldError {
    /// The dotted name, `table.key`.
    pub field: String,
    /// What is wrong and what to write instead.
    pub problem: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// The same problem, with the field named inside `table`.
    pub fn within(self, table: &str) -> Self {
        Self::new(format!("{table}.{}", self.field), self.problem)
    }
}

/// A count of at least 1: hidden units, a batch size, Gibbs steps, chains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct PositiveCount(usize);

impl PositiveCount {
    pub const EXPECTED: &'static str = "a whole number >= 1";

    pub fn new(count: usize) -> Result<Self, ValueError> {
        if count >= 1 {
            Ok(Self(count))
        } else {
            Err(ValueError::new(count, Self::EXPECTED))
        }
    }

    pub fn get(self) -> usize {
        self.0
    }
}

impl<'de> Deserialize<'de> for PositiveCount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::new(usize::deserialize(deserializer)?).map_err(D::Error::custom)
    }
}

/// f32 or f64: what a real-valued value type may hold. The range is checked
/// in f64, which holds every f32 exactly.
pub trait Real:
    Copy + PartialOrd + fmt::Display + Into<f64> + Serialize + for<'de> Deserialize<'de>
{
}
impl Real for f32 {}
impl Real for f64 {}

/// A real value type: a transparent wrapper whose `new` checks `$holds`.
macro_rules! real_value_type {
    ($(#[$doc:meta])* $name:ident, $expected:literal, |$x:ident| $holds:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize)]
        #[serde(transparent)]
        pub struct $name<F = f64>(F);

        impl<F: Real> $name<F> {
            pub const EXPECTED: &'static str = $expected;

            pub fn new(value: F) -> Result<Self, ValueError> {
                let $x: f64 = value.into();
                if $holds {
                    Ok(Self(value))
                } else {
                    Err(ValueError::new(value, Self::EXPECTED))
                }
            }

            pub fn get(self) -> F {
                self.0
            }
        }

        impl<'de, F: Real> Deserialize<'de> for $name<F> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Self::new(F::deserialize(deserializer)?).map_err(D::Error::custom)
            }
        }
    };
}

real_value_type!(
    /// A finite number > 0: a learning rate, a standard deviation, a tolerance.
    Positive,
    "a finite number > 0",
    |x| x.is_finite() && x > 0.0
);
real_value_type!(
    /// A finite number >= 0: a weight decay, a penalty that 0 turns off.
    NonNegative,
    "a finite number >= 0",
    |x| x.is_finite() && x >= 0.0
);
real_value_type!(
    /// A fraction in [0, 1], both ends included.
    Fraction,
    "a number in [0, 1]",
    |x| (0.0..=1.0).contains(&x)
);
real_value_type!(
    /// A number in [0, 1), 1 excluded: a binarisation threshold (at 1 no
    /// pixel would be above it), a held-out fraction (at 1 nothing is left
    /// to train on).
    ProperFraction,
    "a number in [0, 1)",
    |x| (0.0..1.0).contains(&x)
);
real_value_type!(
    /// A momentum in [0, 1): at 1 or above the velocity never decays.
    Momentum,
    "a momentum in [0, 1) (at 1 the velocity never decays; try 0.5 or 0.9)",
    |x| (0.0..1.0).contains(&x)
);
