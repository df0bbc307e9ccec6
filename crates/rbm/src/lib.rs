//! Bernoulli RBMs in f32.
