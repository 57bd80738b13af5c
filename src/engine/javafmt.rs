//! Java's rules for printing doubles, over std's shortest digits.
//!
//! Why by hand: Kafka's tools print numbers through `Double.toString` and `String.format("%.Nf")`,
//! whose rules differ from Rust's `{}` and `{:.N}`. `Double.toString` switches to computerized
//! scientific notation (`1.5E10`) outside [10^-3, 10^7) and always shows a fraction digit; `%.Nf`
//! rounds the *shortest* decimal digits half up (so 1.005 prints `1.01`), where Rust rounds the
//! exact binary value half to even (`1.00`). No crate implements Java's formatting, so these two
//! functions take std's shortest round-trip digits (`{:e}`) and apply Java's rules to them.

use std::fmt::Write;

/// The shortest digits of a finite, nonzero `|v|` and its decimal exponent: `1.5e10` gives
/// (`"15"`, 10), meaning 1.5 × 10^10.
fn shortest_digits(v: f64) -> (String, i32) {
    let sci = format!("{:e}", v.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exponent.parse().unwrap_or(0))
}

/// `Double.toString(v)`: `1.0`, `0.001`, `1.0E7`, `1.5E-4`, `NaN`, `-Infinity`.
pub fn double_to_string(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    let a = v.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let s = v.to_string();
        return if s.contains('.') { s } else { format!("{s}.0") };
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let (digits, exponent) = shortest_digits(v);
    let rest = if digits.len() > 1 { &digits[1..] } else { "0" };
    format!("{sign}{}.{rest}E{exponent}", &digits[..1])
}

/// `String.format("%.{decimals}f", v)` appended to `out`: the shortest digits rounded half up.
pub fn push_fixed_half_up(out: &mut String, v: f64, decimals: usize) {
    if v.is_nan() {
        out.push_str("NaN");
        return;
    }
    if v.is_sign_negative() {
        out.push('-');
    }
    if v.is_infinite() {
        out.push_str("Infinity");
        return;
    }
    if v == 0.0 {
        let _ = write!(out, "{:.decimals$}", 0.0);
        return;
    }
    let (digits, exponent) = shortest_digits(v);
    // Digits as a whole number `n` with the point `scale` places from the right: v = n / 10^scale.
    let mut n: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
    let scale = n.len() as i64 - 1 - i64::from(exponent);
    let want = decimals as i64;
    if scale > want {
        // Drop `scale - want` digits, rounding half up on the first dropped one.
        let drop = (scale - want) as usize;
        let round_up = if drop <= n.len() { n[n.len() - drop] >= 5 } else { false };
        n.truncate(n.len().saturating_sub(drop));
        if round_up {
            let mut i = n.len();
            loop {
                if i == 0 {
                    n.insert(0, 1);
                    break;
                }
                i -= 1;
                if n[i] == 9 {
                    n[i] = 0;
                } else {
                    n[i] += 1;
                    break;
                }
            }
        }
    } else {
        n.extend(std::iter::repeat_n(0, (want - scale) as usize));
    }
    // Now v ≈ n / 10^decimals: pad so at least one integer digit shows.
    if n.len() <= decimals {
        n.splice(0..0, std::iter::repeat_n(0, decimals + 1 - n.len()));
    }
    let point = n.len() - decimals;
    for (i, d) in n.iter().enumerate() {
        if i == point {
            out.push('.');
        }
        out.push(char::from(b'0' + d));
    }
}

/// [`push_fixed_half_up`] as a new string.
pub fn fixed_half_up(v: f64, decimals: usize) -> String {
    let mut out = String::new();
    push_fixed_half_up(&mut out, v, decimals);
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;
    use super::*;

    #[test]
    fn double_to_string_follows_java() {
        for (v, want) in [
            (1.0, "1.0"), (0.0, "0.0"), (-0.0, "-0.0"), (0.001, "0.001"), (1e7, "1.0E7"), (1.5e10, "1.5E10"),
            (1.5e-4, "1.5E-4"), (-2.5e-7, "-2.5E-7"), (9999999.0, "9999999.0"), (123.456, "123.456"),
            (f64::NAN, "NaN"), (f64::INFINITY, "Infinity"), (f64::NEG_INFINITY, "-Infinity"), (1.7976931348623157e308, "1.7976931348623157E308"),
        ] {
            assert_eq!(double_to_string(v), want, "{v:e}");
        }
    }

    #[test]
    fn fixed_half_up_rounds_the_shortest_digits_like_javas_formatter() {
        for (v, d, want) in [
            (1.005, 2, "1.01"), (1.0, 2, "1.00"), (0.0, 2, "0.00"), (0.5, 0, "1"), (1.5, 0, "2"), (2.5, 0, "3"),
            (0.125, 2, "0.13"), (9.995, 2, "10.00"), (99.96, 1, "100.0"), (0.0004, 2, "0.00"), (0.005, 2, "0.01"),
            (0.0049, 2, "0.00"), (123456.789, 2, "123456.79"), (-1.005, 2, "-1.01"), (1e-10, 3, "0.000"), (1e20, 1, "100000000000000000000.0"),
            (3364.123, 2, "3364.12"), (0.95, 1, "1.0"), (f64::NAN, 2, "NaN"), (f64::INFINITY, 2, "Infinity"), (0.06, 0, "0"),
        ] {
            assert_eq!(fixed_half_up(v, d), want, "{v} with {d} places");
        }
    }
}
