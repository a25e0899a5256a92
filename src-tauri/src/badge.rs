//! The missed-call count drawn on the tray icon, so that trays which show no
//! text label beside icons (KDE Plasma, most AppIndicator panels) show it too.
//!
//! Hand-written rather than a font rasteriser and a bundled font: it draws ten
//! digits and a plus sign from a 3×5 pixel font, scaled to the icon.

use tauri::image::Image;

/// Rows of each glyph, three bits wide (`0b100` is the left column).
const GLYPHS: [(char, [u8; 5]); 11] = [
    ('0', [0b111, 0b101, 0b101, 0b101, 0b111]),
    ('1', [0b010, 0b110, 0b010, 0b010, 0b111]),
    ('2', [0b111, 0b001, 0b111, 0b100, 0b111]),
    ('3', [0b111, 0b001, 0b111, 0b001, 0b111]),
    ('4', [0b101, 0b101, 0b111, 0b001, 0b001]),
    ('5', [0b111, 0b100, 0b111, 0b001, 0b111]),
    ('6', [0b111, 0b100, 0b111, 0b101, 0b111]),
    ('7', [0b111, 0b001, 0b010, 0b010, 0b010]),
    ('8', [0b111, 0b101, 0b111, 0b101, 0b111]),
    ('9', [0b111, 0b101, 0b111, 0b001, 0b111]),
    ('+', [0b000, 0b010, 0b111, 0b010, 0b000]),
];

/// The badge's colour (a clear red, as missed calls are shown in the window).
pub const BADGE_RED: [u8; 3] = [0xd9, 0x2d, 0x20];
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];

/// `icon` with a red disc in its lower right corner showing `count` (`9+` above nine).
pub fn badged(icon: &Image<'_>, count: u32) -> Image<'static> {
    let (width, height) = (icon.width(), icon.height());
    let mut pixels = Pixels {
        rgba: icon.rgba().to_vec(),
        width,
    };
    let radius = width.min(height) as f32 * 0.3;
    let (centre_x, centre_y) = (width as f32 - radius, height as f32 - radius);
    for y in 0..height {
        for x in 0..width {
            let distance = (x as f32 + 0.5 - centre_x).hypot(y as f32 + 0.5 - centre_y);
            let cover = (radius - distance + 0.5).clamp(0.0, 1.0);
            pixels.blend(x, y, BADGE_RED, cover);
        }
    }
    let text = if count > 9 {
        "9+".to_owned()
    } else {
        count.to_string()
    };
    // Glyphs are 3 pixels wide with a 1-pixel gap, 5 high: fit them inside the disc.
    let columns = (text.len() * 4 - 1) as f32;
    let scale = (radius * 1.1 / 5.0).min(radius * 1.4 / columns).max(1.0);
    let left = centre_x - columns * scale / 2.0;
    let top = centre_y - 5.0 * scale / 2.0;
    for (index, glyph) in text.chars().filter_map(glyph).enumerate() {
        for (row, bits) in glyph.iter().enumerate() {
            for column in 0..3 {
                if bits & (0b100 >> column) != 0 {
                    let x = left + (index * 4 + column) as f32 * scale;
                    let y = top + row as f32 * scale;
                    pixels.fill(x, y, scale, WHITE);
                }
            }
        }
    }
    Image::new_owned(pixels.rgba, width, height)
}

fn glyph(c: char) -> Option<[u8; 5]> {
    GLYPHS.iter().find(|(g, _)| *g == c).map(|(_, rows)| *rows)
}

struct Pixels {
    rgba: Vec<u8>,
    width: u32,
}

impl Pixels {
    /// Paints `colour` over pixel (`x`, `y`) with opacity `cover` (0–1).
    fn blend(&mut self, x: u32, y: u32, colour: [u8; 3], cover: f32) {
        if cover <= 0.0 {
            return;
        }
        let at = ((y * self.width + x) * 4) as usize;
        let Some(pixel) = self.rgba.get_mut(at..at + 4) else {
            return;
        };
        for (channel, value) in pixel.iter_mut().zip(colour) {
            *channel = (f32::from(*channel) * (1.0 - cover) + f32::from(value) * cover) as u8;
        }
        pixel[3] = (f32::from(pixel[3]) * (1.0 - cover) + 255.0 * cover) as u8;
    }

    /// Fills the `size`-wide square whose top left corner is (`x`, `y`).
    fn fill(&mut self, x: f32, y: f32, size: f32, colour: [u8; 3]) {
        let height = (self.rgba.len() / 4) as u32 / self.width;
        let (x0, y0) = (x.round() as u32, y.round() as u32);
        let (x1, y1) = (
            ((x + size).round() as u32).min(self.width),
            ((y + size).round() as u32).min(height),
        );
        for py in y0..y1 {
            for px in x0..x1 {
                self.blend(px, py, colour, 1.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pixel(image: &Image<'_>, x: u32, y: u32) -> [u8; 4] {
        let at = ((y * image.width() + x) * 4) as usize;
        image.rgba()[at..at + 4].try_into().unwrap()
    }

    fn count_colour(image: &Image<'_>, colour: [u8; 3]) -> usize {
        image
            .rgba()
            .chunks(4)
            .filter(|p| p[..3] == colour && p[3] == 255)
            .count()
    }

    #[test]
    fn a_red_disc_with_white_digits_in_the_lower_right_corner() {
        let blank = Image::new_owned(vec![0; 64 * 64 * 4], 64, 64);
        let one = badged(&blank, 1);
        assert_eq!(
            pixel(&one, 2, 2),
            [0, 0, 0, 0],
            "the rest of the icon is untouched"
        );
        assert_eq!(pixel(&one, 59, 44)[..3], BADGE_RED, "inside the disc");
        assert!(count_colour(&one, WHITE) > 20, "the digit is drawn");
        assert!(count_colour(&one, BADGE_RED) > 500);
        // Different counts draw different digits; above nine it says 9+.
        let seven = badged(&blank, 7);
        assert_ne!(one.rgba(), seven.rgba());
        assert_eq!(badged(&blank, 12).rgba(), badged(&blank, 99).rgba());
        assert_ne!(badged(&blank, 9).rgba(), badged(&blank, 10).rgba());
    }
}
