//! Functions for `#[serde(deserialize_with = "config::de::NAME")]` on a
//! plain field: the field keeps its plain type, so code that builds the
//! struct with a literal stays as it is, and the value type of the same name
//! checks the value when the TOML is read.

use serde::{Deserialize, Deserializer};

use crate::{Fraction, Momentum, NonNegative, Positive, PositiveCount, ProperFraction, Real};

/// A [`PositiveCount`] read into a `usize`.
pub fn positive_count<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    PositiveCount::deserialize(d).map(PositiveCount::get)
}

/// An optional [`PositiveCount`] read into an `Option<usize>` (give the
/// field `#[serde(default)]` too, so that it may be left out).
pub fn optional_positive_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    Option::<PositiveCount>::deserialize(d).map(|count| count.map(PositiveCount::get))
}

/// A list of [`PositiveCount`]s read into a `Vec<usize>`.
pub fn positive_counts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<usize>, D::Error> {
    let counts = Vec::<PositiveCount>::deserialize(d)?;
    Ok(counts.into_iter().map(PositiveCount::get).collect())
}

/// A [`Positive`] read into an f32 or f64.
pub fn positive<'de, D: Deserializer<'de>, F: Real>(d: D) -> Result<F, D::Error> {
    Positive::<F>::deserialize(d).map(Positive::get)
}

/// A list of [`Positive`]s read into a `Vec` of f32 or f64.
pub fn positives<'de, D: Deserializer<'de>, F: Real>(d: D) -> Result<Vec<F>, D::Error> {
    let values = Vec::<Positive<F>>::deserialize(d)?;
    Ok(values.into_iter().map(Positive::get).collect())
}

/// A [`NonNegative`] read into an f32 or f64.
pub fn non_negative<'de, D: Deserializer<'de>, F: Real>(d: D) -> Result<F, D::Error> {
    NonNegative::<F>::deserialize(d).map(NonNegative::get)
}

/// A [`Fraction`] read into an f32 or f64.
pub fn fraction<'de, D: Deserializer<'de>, F: Real>(d: D) -> Result<F, D::Error> {
    Fraction::<F>::deserialize(d).map(Fraction::get)
}

/// A [`ProperFraction`] read into an f32 or f64.
pub fn proper_fraction<'de, D: Deserializer<'de>, F: Real>(d: D) -> Result<F, D::Error> {
    ProperFraction::<F>::deserialize(d).map(ProperFraction::get)
}

/// An optional [`ProperFraction`] read into an `Option` of f32 or f64 (give
/// the field `#[serde(default)]` too, so that it may be left out).
pub fn optional_proper_fraction<'de, D: Deserializer<'de>, F: Real>(
    d: D,
) -> Result<Option<F>, D::Error> {
    Option::<ProperFraction<F>>::deserialize(d).map(|value| value.map(ProperFraction::get))
}

/// A [`Momentum`] read into an f32 or f64.
pub fn momentum<'de, D: Deserializer<'de>, F: Real>(d: D) -> Result<F, D::Error> {
    Momentum::<F>::deserialize(d).map(Momentum::get)
}
