//! Many small grey images tiled into one PNG: digits, samples of a model,
//! or the filters (weight rows) of an RBM.

use std::path::Path;

use ndarray::ArrayView2;

use crate::csv_file::persist;
use crate::error::DataError;

/// Pixels of padding between neighbouring images (and around the grid).
pub const GRID_PADDING: usize = 1;

/// The grey level of the padding (0 black, 255 white): mid grey, so that it
/// stands out from both white strokes and a black background.
const PADDING_GREY: u8 = 128;

/// Write `images` (one image per row, `image_rows * image_cols` values in
/// [0, 1] in row-major order, 0 black and 1 white) as one 8-bit greyscale
/// PNG with `grid_cols` images per line of the grid and a one-pixel grey
/// border around each image. An existing file is replaced only when
/// `overwrite` is set; the file appears whole or not at all.
pub fn write_png_grid(
    path: impl AsRef<Path>,
    images: ArrayView2<f32>,
    image_rows: usize,
    image_cols: usize,
    grid_cols: usize,
    overwrite: bool,
) -> Result<(), DataError> {
    let path = path.as_ref();
    check_grid(path, images, image_rows, image_cols, grid_cols)?;
    if !overwrite && path.exists() {
        return Err(DataError::WouldOverwrite(path.to_path_buf()));
    }
    let (width, height, pixels) = grid_pixels(images, image_rows, image_cols, grid_cols);
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width as u32, height as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let encoded = encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(&pixels));
    encoded.map_err(|e| DataError::Unwritable {
        path: path.to_path_buf(),
        problem: format!("PNG encoding failed: {e}"),
    })?;
    persist(path, &bytes, overwrite)
}

fn check_grid(
    path: &Path,
    images: ArrayView2<f32>,
    image_rows: usize,
    image_cols: usize,
    grid_cols: usize,
) -> Result<(), DataError> {
    let unwritable = |problem: String| DataError::Unwritable {
        path: path.to_path_buf(),
        problem,
    };
    if images.nrows() == 0 || grid_cols == 0 || image_rows == 0 || image_cols == 0 {
        return Err(unwritable(format!(
            "{} images of {image_rows} x {image_cols} pixels in {grid_cols} columns: \
             a grid needs at least one image, one pixel and one column",
            images.nrows()
        )));
    }
    if images.ncols() != image_rows * image_cols {
        return Err(unwritable(format!(
            "each image has {} values but {image_rows} x {image_cols} pixels need {}",
            images.ncols(),
            image_rows * image_cols
        )));
    }
    match images.indexed_iter().find(|(_, x)| !x.is_finite()) {
        Some(((image, pixel), x)) => Err(unwritable(format!(
            "image {}, pixel {}: value {x} is not a finite number",
            image + 1,
            pixel + 1
        ))),
        None => Ok(()),
    }
}

/// (width, height, row-major grey bytes) of the tiled grid.
fn grid_pixels(
    images: ArrayView2<f32>,
    image_rows: usize,
    image_cols: usize,
    grid_cols: usize,
) -> (usize, usize, Vec<u8>) {
    let grid_cols = grid_cols.min(images.nrows());
    let grid_rows = images.nrows().div_ceil(grid_cols);
    let width = grid_cols * (image_cols + GRID_PADDING) + GRID_PADDING;
    let height = grid_rows * (image_rows + GRID_PADDING) + GRID_PADDING;
    let mut pixels = vec![PADDING_GREY; width * height];
    for (k, image) in images.rows().into_iter().enumerate() {
        let top = GRID_PADDING + (k / grid_cols) * (image_rows + GRID_PADDING);
        let left = GRID_PADDING + (k % grid_cols) * (image_cols + GRID_PADDING);
        for (p, &x) in image.iter().enumerate() {
            let (r, c) = (p / image_cols, p % image_cols);
            pixels[(top + r) * width + left + c] = (x.clamp(0.0, 1.0) * 255.0).round() as u8;
        }
    }
    (width, height, pixels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
        let decoder =
            png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    #[test]
    fn tiles_images_with_a_grey_border() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grid.png");
        // Three 1 x 2 images in a grid of 2 columns: 2 lines of the grid.
        let images = array![[0.0f32, 1.0], [0.5, 2.0], [-1.0, 0.25]];
        write_png_grid(&path, images.view(), 1, 2, 2, false).unwrap();
        let (width, height, pixels) = decode(&path);
        assert_eq!((width, height), (7, 5));
        let at = |r: usize, c: usize| pixels[r * 7 + c];
        assert_eq!((at(1, 1), at(1, 2)), (0, 255));
        assert_eq!((at(1, 4), at(1, 5)), (128, 255)); // 0.5 rounds to 128; 2 clamps to 1
        assert_eq!((at(3, 1), at(3, 2)), (0, 64));
        assert_eq!((at(0, 0), at(1, 3), at(3, 4)), (128, 128, 128)); // padding and empty cell
    }

    #[test]
    fn refuses_to_overwrite_and_bad_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grid.png");
        let images = array![[0.0f32, 1.0, 0.0, 1.0]];
        write_png_grid(&path, images.view(), 2, 2, 1, false).unwrap();
        let again = write_png_grid(&path, images.view(), 2, 2, 1, false).unwrap_err();
        assert!(matches!(again, DataError::WouldOverwrite(_)), "{again}");
        write_png_grid(&path, images.view(), 2, 2, 1, true).unwrap();
        let shape = write_png_grid(&path, images.view(), 3, 2, 1, true).unwrap_err();
        assert!(shape.to_string().contains("need 6"), "{shape}");
        let nan = array![[0.0f32, f32::NAN, 0.0, 1.0]];
        let err = write_png_grid(&path, nan.view(), 2, 2, 1, true).unwrap_err();
        assert!(err.to_string().contains("pixel 2"), "{err}");
    }
}
