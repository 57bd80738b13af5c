//! The simulated clock's controls, as numbers: the logarithmic speed slider and the clock text.

/// Wall-clock time between two clock advances while playing.
pub const TICK_WALL_MS: u32 = 200;
/// Positions of the speed slider: 0 is 0.1x, [`SPEED_POSITION_DEFAULT`] is 1x, the last is 100x.
pub const SPEED_POSITION_MAX: u32 = 60;
pub const SPEED_POSITION_DEFAULT: u32 = 20;
/// Positions per factor of ten: the slider is logarithmic, so every step multiplies the speed
/// by the same ratio (10^(1/20), about 1.12).
const POSITIONS_PER_DECADE: f64 = 20.0;

/// Simulated time per wall-clock time at slider `position`.
pub fn speed_at(position: u32) -> f64 {
    let position = position.min(SPEED_POSITION_MAX);
    10f64.powf(f64::from(position) / POSITIONS_PER_DECADE - 1.0)
}

/// Simulated ms that one play tick advances at slider `position` (at least 1).
pub fn tick_sim_ms(position: u32) -> u64 {
    let ms = (f64::from(TICK_WALL_MS) * speed_at(position)).round();
    debug_assert!(ms.is_finite() && ms >= 0.0);
    (ms as u64).max(1)
}

/// Simulated ms of one "step": one wall-clock second at the current speed.
pub fn step_sim_ms(position: u32) -> u64 {
    tick_sim_ms(position) * u64::from(1000 / TICK_WALL_MS)
}

/// `0.1x`, `1x`, `2.5x`, `100x`: two significant digits.
pub fn format_speed(position: u32) -> String {
    let speed = speed_at(position);
    let text = if speed >= 10.0 {
        format!("{:.0}", speed)
    } else if speed >= 1.0 {
        format!("{:.1}", speed)
    } else {
        format!("{:.2}", speed)
    };
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    format!("{text}x")
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
