//! The simulated clock's controls, as numbers: the logarithmic speed slider and the clock text.

/// Wall-clock time between two clock advances while playing.
pub const TICK_WALL_MS: u32 = 200;
/// Positions of the speed slider: 0 is 0.1x, [`SPEED_POSITION_DEFAULT`] is 1x, the last is 100x.
pub const SPEED_POSITION_MAX: u32 = 60;
pub const SPEED_POSITION_DEFAULT: u32 = 20;
/// Positions per factor of ten: the slider is logarithmic, so every step multiplies the speed
/// by the same ratio (10^(1/20), about 1.12).
const POSITIONS_PER_DECADE: f64 = 20.0;

/// Simulated time per wall-clock time at slider `position` (the formula behind the tables below;
/// only the tests call it).
pub fn speed_at(position: u32) -> f64 {
    let position = position.min(SPEED_POSITION_MAX);
    10f64.powf(f64::from(position) / POSITIONS_PER_DECADE - 1.0)
}

/// Simulated ms that one play tick advances at each slider position:
/// `round(TICK_WALL_MS * speed_at(position))`, at least 1 (a table: `powf` and its 2 KB of libm
/// stay out of the bundle; a test checks every entry against the formula).
const TICK_SIM_MS: [u16; SPEED_POSITION_MAX as usize + 1] = [
    20, 22, 25, 28, 32, 36, 40, 45, 50, 56, 63, 71, 80, 89, 100, 112, 126, 142, 159, 178, 200, 224, 252, 283, 317, 356, 399,
    448, 502, 564, 632, 710, 796, 893, 1002, 1125, 1262, 1416, 1589, 1783, 2000, 2244, 2518, 2825, 3170, 3557, 3991, 4477,
    5024, 5637, 6325, 7096, 7962, 8934, 10024, 11247, 12619, 14159, 15887, 17825, 20000,
];
/// The speed at each slider position in hundredths, rounded to two significant digits (whole
/// numbers from 10x, tenths from 1x, hundredths below), as [`format_speed`] shows it.
const SPEED_CENTI: [u16; SPEED_POSITION_MAX as usize + 1] = [
    10, 11, 13, 14, 16, 18, 20, 22, 25, 28, 32, 35, 40, 45, 50, 56, 63, 71, 79, 89, 100, 110, 130, 140, 160, 180, 200, 220,
    250, 280, 320, 350, 400, 450, 500, 560, 630, 710, 790, 890, 1000, 1100, 1300, 1400, 1600, 1800, 2000, 2200, 2500, 2800,
    3200, 3500, 4000, 4500, 5000, 5600, 6300, 7100, 7900, 8900, 10000,
];

fn slot(position: u32) -> usize {
    position.min(SPEED_POSITION_MAX) as usize
}

/// Simulated ms that one play tick advances at slider `position` (at least 1).
pub fn tick_sim_ms(position: u32) -> u64 {
    u64::from(TICK_SIM_MS[slot(position)])
}

/// Simulated ms of one "step": one wall-clock second at the current speed.
pub fn step_sim_ms(position: u32) -> u64 {
    tick_sim_ms(position) * u64::from(1000 / TICK_WALL_MS)
}

/// `0.1x`, `1x`, `2.5x`, `100x`: two significant digits, trailing zeros dropped.
pub fn format_speed(position: u32) -> String {
    let centi = SPEED_CENTI[slot(position)];
    let (whole, frac) = (centi / 100, centi % 100);
    if frac == 0 {
        format!("{whole}x")
    } else if frac % 10 == 0 {
        format!("{whole}.{}x", frac / 10)
    } else {
        format!("{whole}.{frac:02}x")
    }
}

/// `0:00:05.250` (hours unbounded).
pub fn format_clock(ms: u64) -> String {
    let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    format!("{h}:{m:02}:{s:02}.{milli:03}")
}

/// A duration for `sim advance`, in the shell's own units where exact.
pub fn format_duration(ms: u64) -> String {
    if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_speed_slider_is_logarithmic_from_a_tenth_to_a_hundred() {
        assert_eq!(format_speed(0), "0.1x");
        assert_eq!(format_speed(SPEED_POSITION_DEFAULT), "1x");
        assert_eq!(format_speed(40), "10x");
        assert_eq!(format_speed(SPEED_POSITION_MAX), "100x");
        assert_eq!(format_speed(SPEED_POSITION_MAX + 99), "100x", "clamped");
        assert_eq!(tick_sim_ms(SPEED_POSITION_DEFAULT), 200);
        assert_eq!(tick_sim_ms(0), 20);
        assert_eq!(step_sim_ms(SPEED_POSITION_DEFAULT), 1000);
        // The tables are the formula: the tick rounded, the text at two significant digits.
        for p in 0..=SPEED_POSITION_MAX {
            let speed = speed_at(p);
            assert_eq!(tick_sim_ms(p), ((f64::from(TICK_WALL_MS) * speed).round() as u64).max(1), "tick at {p}");
            let text = if speed >= 10.0 {
                format!("{:.0}", speed)
            } else if speed >= 1.0 {
                format!("{:.1}", speed)
            } else {
                format!("{:.2}", speed)
            };
            let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
            assert_eq!(format_speed(p), format!("{text}x"), "speed at {p}");
        }
        let ratios: Vec<f64> = (1..=SPEED_POSITION_MAX).map(|p| speed_at(p) / speed_at(p - 1)).collect();
        assert!(ratios.iter().all(|r| (r - ratios[0]).abs() < 1e-9), "equal ratios: {ratios:?}");
    }

    #[wasm_bindgen_test]
    fn clock_and_duration_text() {
        assert_eq!(format_clock(0), "0:00:00.000");
        assert_eq!(format_clock(3_723_045), "1:02:03.045");
        assert_eq!(format_duration(2000), "2s");
        assert_eq!(format_duration(250), "250ms");
    }
}
