//! Decimal text to `f64`, correctly rounded: the same value and the same accepted syntax as
//! `str::parse::<f64>`.
//!
//! Why not `str::parse`: std's parser (Eisel-Lemire with a 10 KB table of 128-bit powers of
//! five, plus a big-decimal fallback) was ~16 KB of the gzipped browser bundle, for config values,
//! durations and perf-test rates that people type by hand. This one takes the exact fast path when
//! the digits and the power of ten are both exact doubles (every value people type), and otherwise
//! steps from an approximation to the correctly rounded double by comparing the decimal value
//! exactly, in big integers, with the midpoints between neighbouring doubles (ties to even, as
//! IEEE 754 and std do).
//!
//! Grammar (std's): `[+-]? (inf | infinity | nan | digits)` with the words in any case, where
//! `digits` is `D+ | D+ '.' D* | D* '.' D+` with an optional `[eE] [+-]? D+`.
//!
//! And the way back: [`push_fixed`] and [`push_shortest`] print exactly what `{v:.N}` and `{v}`
//! print. std's float printing (Grisu with Dragon4 fallback, its own bignum and a table of cached
//! powers) was ~8 KB of the bundle; here every finite double `m × 2^k` is first written out
//! exactly (the digits of `m × 2^k`, or of `m × 5^-k` with the point `-k` places from the right;
//! at most 767 significant digits), and rounding then works on that digit string.

use std::cmp::Ordering;

/// Significant digits kept exactly. A midpoint between two doubles has at most 767 significant
/// digits, so comparing the first 800 digits plus one nonzero digit standing for any nonzero
/// rest orders the value against every midpoint exactly as all of the digits would.
const DIGITS_KEPT_MAX: usize = 800;

/// Exact powers of ten as doubles (10^22 is the largest that is exact).
const POW10: [f64; 23] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/// `text.parse::<f64>().ok()`.
pub fn parse_f64(text: &str) -> Option<f64> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        f64::INFINITY
    } else if body.eq_ignore_ascii_case("nan") {
        f64::NAN
    } else {
        let (digits, exponent) = parse_decimal(body.as_bytes())?;
        decimal_to_f64(&digits, exponent)
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// The significant digits (values 0..=9, no leading or trailing zeros, at most
/// `DIGITS_KEPT_MAX + 1`) and the power of ten: the value is `digits × 10^exponent`.
fn parse_decimal(text: &[u8]) -> Option<(Vec<u8>, i64)> {
    let mut digits: Vec<u8> = Vec::new();
    let mut exponent: i64 = 0;
    let mut seen_digit = false;
    let mut dropped_nonzero = false;
    let mut i = 0;
    let mut in_fraction = false;
    while i < text.len() {
        let b = text[i];
        if b.is_ascii_digit() {
            seen_digit = true;
            let d = b - b'0';
            if in_fraction {
                exponent -= 1;
            }
            if digits.is_empty() && d == 0 {
                // A leading zero: only the exponent moves (for fraction digits).
            } else if digits.len() < DIGITS_KEPT_MAX {
                digits.push(d);
            } else {
                // Past the kept digits: each still scales the value by ten.
                exponent += 1;
                dropped_nonzero |= d != 0;
            }
        } else if b == b'.' && !in_fraction {
            in_fraction = true;
        } else {
            break;
        }
        i += 1;
    }
    if !seen_digit {
        return None;
    }
    if i < text.len() {
        if text[i] != b'e' && text[i] != b'E' {
            return None;
        }
        i += 1;
        let negative = match text.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        if i >= text.len() {
            return None;
        }
        let mut e: i64 = 0;
        for &b in &text[i..] {
            if !b.is_ascii_digit() {
                return None;
            }
            // Saturates far beyond any double's range: the value is then 0 or infinity anyway.
            e = (e * 10 + i64::from(b - b'0')).min(1 << 40);
        }
        exponent += if negative { -e } else { e };
    }
    if dropped_nonzero {
        digits.push(1);
        exponent -= 1;
    }
    while digits.last() == Some(&0) {
        digits.pop();
        exponent += 1;
    }
    debug_assert!(digits.first() != Some(&0) && digits.len() <= DIGITS_KEPT_MAX + 1);
    Some((digits, exponent))
}

/// `digits × 10^exponent` rounded to the nearest double, ties to even.
fn decimal_to_f64(digits: &[u8], exponent: i64) -> f64 {
    if digits.is_empty() {
        return 0.0;
    }
    let n = digits.len() as i64;
    // The value lies in [10^(n + exponent - 1), 10^(n + exponent)).
    if n + exponent > 310 {
        return f64::INFINITY;
    }
    if n + exponent < -325 {
        return 0.0;
    }
    let leading = digits.iter().take(19).fold(0u64, |acc, &d| acc * 10 + u64::from(d));
    if n <= 15 && (-22..=22).contains(&exponent) {
        // Both operands exact, so the one rounding of the multiply or divide is the answer.
        let m = leading as f64;
        return if exponent >= 0 { m * POW10[exponent as usize] } else { m / POW10[(-exponent) as usize] };
    }
    // An approximation within a few units in the last place, then exact steps.
    let scale = exponent + n - n.min(19);
    let mut z = (leading as f64) * 10f64.powi((scale / 2) as i32) * 10f64.powi((scale - scale / 2) as i32);
    if !z.is_finite() {
        z = f64::MAX;
    }
    let value = Big::decimal(digits);
    // Each round moves one double towards the value; the approximation is close, so a few
    // rounds do. The bound only guarantees termination.
    for _ in 0..4096 {
        let bits = z.to_bits();
        let above = compare_with_midpoint_above(&value, exponent, z);
        if above == Ordering::Greater || (above == Ordering::Equal && bits & 1 == 1) {
            z = f64::from_bits(bits + 1);
            if z.is_infinite() {
                return z;
            }
            continue;
        }
        if bits == 0 {
            return z;
        }
        let below = compare_with_midpoint_above(&value, exponent, f64::from_bits(bits - 1));
        if below == Ordering::Less || (below == Ordering::Equal && bits & 1 == 1) {
            z = f64::from_bits(bits - 1);
            continue;
        }
        return z;
    }
    debug_assert!(false, "the steps converge");
    z
}

/// Orders `value × 10^exponent` against the midpoint between `x` (finite, not negative) and the
/// next double up: `(2m + 1) × 2^(k - 1)` where `x = m × 2^k`.
fn compare_with_midpoint_above(value: &Big, exponent: i64, x: f64) -> Ordering {
    let (m, k) = decode(x);
    let mut left = value.clone();
    let mut right = Big::from_u64(2 * m + 1);
    if exponent >= 0 {
        left.mul_pow(10, exponent as u64);
    } else {
        right.mul_pow(10, (-exponent) as u64);
    }
    let two_power = k - 1;
    if two_power >= 0 {
        right.mul_pow(2, two_power as u64);
    } else {
        left.mul_pow(2, (-two_power) as u64);
    }
    left.cmp(&right)
}

/// `(m, k)` with `|x| = m × 2^k` exactly: the significand with its hidden bit, and the power.
fn decode(x: f64) -> (u64, i64) {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1u64 << 52) - 1);
    if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    }
}

/// The exact decimal digits (values 0..=9) of `x × 2^k`, with leading zeros up to `len_min`
/// digits and no others, and the point's place: the value is `0.d₁d₂… × 10^point`.
fn exact_decimal(x: u64, k: i64, len_min: usize) -> (Vec<u8>, i64) {
    let mut b = Big::from_u64(x);
    // x × 2^k = x × 5^-k / 10^-k: an integer either way.
    if k >= 0 {
        b.mul_pow(2, k as u64);
    } else {
        b.mul_pow(5, k.unsigned_abs());
    }
    let mut digits = Vec::new();
    while !b.limbs.is_empty() {
        // Nine digits at a time, least significant first.
        let mut chunk = 0u64;
        for limb in b.limbs.iter_mut().rev() {
            let v = chunk << 32 | u64::from(*limb);
            *limb = (v / 1_000_000_000) as u32;
            chunk = v % 1_000_000_000;
        }
        b.trim();
        for _ in 0..9 {
            digits.push((chunk % 10) as u8);
            chunk /= 10;
        }
    }
    while digits.len() > len_min && digits.last() == Some(&0) {
        digits.pop();
    }
    digits.resize(digits.len().max(len_min), 0);
    digits.reverse();
    let point = digits.len() as i64 + k.min(0);
    (digits, point)
}

/// Writes the sign and NaN or infinity as std does; true when `v` is finite and its digits follow.
fn push_sign(out: &mut String, v: f64) -> bool {
    if v.is_nan() {
        out.push_str("NaN");
        return false;
    }
    if v.is_sign_negative() {
        out.push('-');
    }
    if v.is_infinite() {
        out.push_str("inf");
        return false;
    }
    true
}

/// Adds one unit in the last digit; true when it carries out of the first (all nines).
fn increment(digits: &mut [u8]) -> bool {
    for d in digits.iter_mut().rev() {
        if *d < 9 {
            *d += 1;
            return false;
        }
        *d = 0;
    }
    true
}

/// Writes `0.d₁d₂… × 10^point` positionally: one integer digit at least, no leading zeros
/// before it, and zeros out to the point on either side.
fn push_digits(out: &mut String, mut digits: &[u8], mut point: i64) {
    while point > 1 && digits.first() == Some(&0) {
        digits = &digits[1..];
        point -= 1;
    }
    for i in (point - 1).min(0)..(digits.len() as i64).max(point) {
        if i == point {
            out.push('.');
        }
        let d = usize::try_from(i).ok().and_then(|i| digits.get(i)).copied().unwrap_or(0);
        out.push(char::from(b'0' + d));
    }
}

/// `format!("{v:.decimals$}")`: the exact value rounded half to even at `decimals` places; the
/// sign stays when the value rounds to zero (`-0.00`).
pub fn push_fixed(out: &mut String, v: f64, decimals: usize) {
    if !push_sign(out, v) {
        return;
    }
    let (m, k) = decode(v);
    // At least one integer digit, so the rounding place is always inside `digits`.
    let (mut digits, mut point) = exact_decimal(m, k, 1 + k.min(0).unsigned_abs() as usize);
    debug_assert!(point >= 1);
    let keep = point as usize + decimals;
    digits.resize(digits.len().max(keep), 0);
    let round_up = digits.get(keep).is_some_and(|&d| {
        d > 5 || (d == 5 && (digits[keep - 1] % 2 == 1 || digits[keep + 1..].iter().any(|&d| d != 0)))
    });
    digits.truncate(keep);
    if round_up && increment(&mut digits) {
        digits.insert(0, 1);
        point += 1;
    }
    push_digits(out, &digits, point);
}

/// `format!("{v:.decimals$}")` as a new string: [`push_fixed`].
pub fn to_fixed(v: f64, decimals: usize) -> String {
    let mut out = String::new();
    push_fixed(&mut out, v, decimals);
    out
}

/// `v.to_string()`: [`push_shortest`].
pub fn to_shortest(v: f64) -> String {
    let mut out = String::new();
    push_shortest(&mut out, v);
    out
}

/// `format!("{v}")`: the fewest significant digits that read back as `v`, the closest to `v` of
/// those, positionally (`100000000000000000000000`, `0.000001`).
///
/// The digits are Steele & White's / Dragon4's, as std's: walk `v`'s exact digits; stop at the
/// first place where cutting them off (down) or cutting them off plus one unit (up) lies strictly
/// between the midpoints to the neighbouring doubles (or on one, when `v`'s significand is even:
/// the parser rounds ties to even, so a midpoint then reads back as `v`); if both do, up when
/// the dropped digits are at least half a unit.
pub fn push_shortest(out: &mut String, v: f64) {
    if push_sign(out, v) {
        let (digits, point) = shortest_digits(v);
        push_digits(out, &digits, point);
    }
}

/// `v`'s shortest digits ([`push_shortest`]'s) rounded half up at `decimals` places: how Java's
/// `Formatter` prints `%.Nf` (it rounds `Double.toString`'s digits, not the exact value, so 1.005
/// prints 1.01 with two places). NaN and infinities as [`push_sign`] writes them.
pub fn push_shortest_half_up(out: &mut String, v: f64, decimals: usize) {
    if !push_sign(out, v) {
        return;
    }
    let (mut digits, mut point) = shortest_digits(v);
    // At least one integer digit, so the rounding place is always inside `digits`.
    if point < 1 {
        digits.splice(0..0, std::iter::repeat_n(0, point.unsigned_abs() as usize + 1));
        point = 1;
    }
    let keep = point as usize + decimals;
    let round_up = digits.get(keep).is_some_and(|&d| d >= 5);
    digits.resize(keep, 0);
    if round_up && increment(&mut digits) {
        digits.insert(0, 1);
        point += 1;
    }
    push_digits(out, &digits, point);
}

/// The digits and point (`0.d₁d₂… × 10^point`) of [`push_shortest`] for a finite `v`; zero is
/// `[0]` with the point after it.
fn shortest_digits(v: f64) -> (Vec<u8>, i64) {
    let (m, k) = decode(v);
    if m == 0 {
        return (vec![0], 1);
    }
    // In units of 2^(k-2) the midpoints are whole: 4m ± 2, or 4m - 1 below a power of two whose
    // predecessor is a double of the next smaller binade (half the spacing). All three are
    // written with the same number of digits, so comparing digit strings compares values.
    let below_binade = m == 1 << 52 && k > -1074;
    let (high, point) = exact_decimal(4 * m + 2, k - 2, 1);
    let n = high.len();
    let value = exact_decimal(4 * m, k - 2, n).0;
    let low = exact_decimal(4 * m - 2 + u64::from(below_binade), k - 2, n).0;
    let inside = |ord: Ordering| ord == Ordering::Less || (ord == Ordering::Equal && m % 2 == 0);
    // The cut at place i: value's first i digits, then zeros (only [..i] is ever written).
    let mut candidate = vec![0; n];
    for i in 1..=n {
        candidate[..i].copy_from_slice(&value[..i]);
        let down = inside(low.cmp(&candidate));
        let up = !increment(&mut candidate[..i]) && inside(candidate.cmp(&high));
        if down || up {
            if !(up && (!down || value[i..].first().is_some_and(|&d| d >= 5))) {
                candidate[..i].copy_from_slice(&value[..i]);
            }
            candidate.truncate(i);
            return (candidate, point);
        }
    }
    // At i = n the cut is `v` itself, strictly inside its own interval.
    debug_assert!(false, "the last place always stops");
    (value, point)
}

/// A non-negative big integer: little-endian 32-bit limbs, no high zero limbs.
#[derive(Clone, Debug)]
struct Big {
    limbs: Vec<u32>,
}

impl Big {
    fn from_u64(v: u64) -> Big {
        let mut b = Big { limbs: vec![v as u32, (v >> 32) as u32] };
        b.trim();
        b
    }

    fn decimal(digits: &[u8]) -> Big {
        let mut b = Big { limbs: Vec::new() };
        for chunk in digits.chunks(9) {
            let value = chunk.iter().fold(0u32, |acc, &d| acc * 10 + u32::from(d));
            b.mul_add_small(10u32.pow(chunk.len() as u32), value);
        }
        b
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    /// `self = self × factor + add`.
    fn mul_add_small(&mut self, factor: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.limbs {
            let v = u64::from(*limb) * u64::from(factor) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.limbs.push(carry as u32);
        }
        self.trim();
    }

    /// `self = self × base^power` (`base` 2..=10), a limb-sized power of `base` at a time.
    fn mul_pow(&mut self, base: u32, mut power: u64) {
        debug_assert!((2..=10).contains(&base));
        while power > 0 {
            let mut factor = 1u32;
            while power > 0 && factor <= u32::MAX / base {
                factor *= base;
                power -= 1;
            }
            self.mul_add_small(factor, 0);
        }
    }

    fn cmp(&self, other: &Big) -> Ordering {
        self.limbs.len().cmp(&other.limbs.len()).then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Rng;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    fn same(text: &str) {
        let ours = parse_f64(text);
        let std = text.parse::<f64>().ok();
        assert_eq!(ours.map(f64::to_bits), std.map(f64::to_bits), "{text:?}: ours {ours:?}, std {std:?}");
    }

    #[test]
    fn syntax_and_special_values_match_std() {
        for text in [
            "", "+", "-", ".", "e", "e5", "1e", "1e+", "1e-", ".e1", "1.2.3", "1e5.0", " 1", "1 ", "1_0", "0x10", "١",
            "0", "-0", "+0", "0.0", "00", ".0", "0.", "5.", ".5", "-.5", "+.5e1", "1e5", "1E5", "1e+5", "1E-5", "1e-0",
            "inf", "-inf", "INF", "Infinity", "-infinity", "infinit", "infinityy", "nan", "NaN", "-nan", "+NAN", "nan1",
            "0.1", "0.2", "0.3", "0.30000000000000004", "1.5", "0.5", "0.01", "2.5", "100", "123456789012345678901234567890",
            "9007199254740993", "9007199254740992.5", "1e22", "1e23", "1.7976931348623157e308", "1.7976931348623158e308",
            "1.7976931348623159e308", "1e308", "1e309", "1e400", "2.2250738585072014e-308", "2.2250738585072011e-308",
            "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "5e-324", "1e-324", "1e-400",
            "0.000000000000000000000000000000000000000000001", "1e99999999999999999999", "1e-99999999999999999999",
            "000000000000000000000000000000000000001.5", "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124", "1.00000000000000011102230246251565404236316680908203126",
        ] {
            same(text);
        }
        let long = format!("1.{}1e-5", "0".repeat(2000));
        same(&long);
        let halfway = format!("9007199254740993{}", "0".repeat(900));
        same(&halfway);
        same(&format!("{halfway}1"));
    }

    /// The exact decimal of `a + b` (both non-negative fixed-point with the same fraction length).
    fn add_decimal(a: &str, b: &str) -> String {
        let width = a.len().max(b.len());
        let (a, b) = (format!("{a:0>width$}"), format!("{b:0>width$}"));
        let mut out = Vec::new();
        let mut carry = 0;
        for (x, y) in a.bytes().rev().zip(b.bytes().rev()) {
            if x == b'.' {
                out.push(b'.');
                continue;
            }
            let d = (x - b'0') + (y - b'0') + carry;
            out.push(b'0' + d % 10);
            carry = d / 10;
        }
        if carry > 0 {
            out.push(b'1');
        }
        out.reverse();
        String::from_utf8(out).expect("ascii")
    }

    #[test]
    fn exact_midpoints_round_to_even_like_std() {
        let mut rng = Rng::new(13);
        for _ in 0..2_000 {
            let x = f64::from_bits(rng.next_u64() >> 1 >> rng.below(12));
            let next = f64::from_bits(x.to_bits() + 1);
            if !next.is_finite() {
                continue;
            }
            let half_ulp = (next - x) / 2.0;
            if half_ulp == 0.0 {
                continue;
            }
            let mid = add_decimal(&format!("{x:.1100}"), &format!("{half_ulp:.1100}"));
            same(&mid);
            same(&format!("{mid}1"));
            let below = mid.trim_end_matches('0');
            same(&format!("{}{}", &below[..below.len() - 1], char::from(below.as_bytes()[below.len() - 1] - 1)));
        }
    }

    #[test]
    fn random_doubles_and_digit_strings_match_std() {
        let mut rng = Rng::new(9);
        for _ in 0..20_000 {
            let v = f64::from_bits(rng.next_u64());
            if !v.is_finite() {
                continue;
            }
            same(&format!("{v}"));
            same(&format!("{v:e}"));
            same(&format!("{v:.20e}"));
        }
        for _ in 0..20_000 {
            let n = 1 + rng.below(25) as usize;
            let digits: String = (0..n).map(|_| char::from(b'0' + rng.below(10) as u8)).collect();
            let e = rng.below(700) as i64 - 350;
            same(&format!("{digits}e{e}"));
            let point = rng.below(n as u64 + 1) as usize;
            same(&format!("{}.{}", &digits[..point], &digits[point..]));
        }
    }

    /// Ours against std for `{v:.0}` to `{v:.3}` and `{v}`; `seed` names the generator that made `v`.
    fn same_text(v: f64, seed: u64) {
        let mut ours = String::new();
        for decimals in 0..=3 {
            ours.clear();
            push_fixed(&mut ours, v, decimals);
            assert_eq!(ours, format!("{v:.decimals$}"), "bits {:#018x}, {decimals} decimals, seed {seed}", v.to_bits());
        }
        ours.clear();
        push_shortest(&mut ours, v);
        assert_eq!(ours, format!("{v}"), "bits {:#018x}, shortest, seed {seed}", v.to_bits());
    }

    #[test]
    fn special_values_and_ties_print_like_std() {
        for v in [
            0.0, -0.0, f64::NAN, -f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1.0, -1.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375,
            -0.125, 0.0625, 0.05, 0.005, 0.0005, 0.004, -0.004, -0.0004, 0.96, 9.96, 99.995, 999.9995, 0.1, 0.2, 0.3, 1e15,
            1e16, 1e17, 1e21, 1e22, 1e23, 1e300, 5e-324, -5e-324, 1e-323, f64::MIN_POSITIVE, f64::MAX, f64::MIN,
            f64::EPSILON, 9007199254740993.0, 1125899906842624.25, 1125899906842624.75, 4503599627370495.5, 0.3e-5,
            123456.789, 1234567.125, 2f64.powi(-1022) - 5e-324,
        ] {
            same_text(v, 0);
        }
        let mut power_of_two = 5e-324f64;
        while power_of_two.is_finite() {
            same_text(power_of_two, 0);
            same_text(power_of_two * 3.0, 0);
            same_text(f64::from_bits(power_of_two.to_bits() - 1), 0);
            power_of_two *= 2.0;
        }
        for e in -330..=310 {
            let power_of_ten = parse_f64(&format!("1e{e}")).expect("a number");
            same_text(power_of_ten, 0);
            same_text(f64::from_bits(power_of_ten.to_bits() + 1), 0);
        }
        let mut s = String::new();
        push_fixed(&mut s, 0.125, 2);
        assert_eq!(s, "0.12", "a tie rounds to the even digit");
        s.clear();
        push_fixed(&mut s, -0.001, 2);
        assert_eq!(s, "-0.00", "the sign stays on a value that rounds to zero");
        s.clear();
        push_shortest(&mut s, 1e23);
        assert_eq!(s, "100000000000000000000000");
        s.clear();
        push_fixed(&mut s, 1.0, 40);
        assert_eq!(s, format!("{:.40}", 1.0), "decimals beyond the exact digits are zeros");
    }

    /// A million doubles, each printed five ways, against std: random bit patterns (every
    /// binade, subnormals, the largest values) and the values people and the simulation
    /// print (k/10, k/100, k/1000, ratios, halfway cases, powers of two and ten).
    #[test]
    fn a_million_doubles_print_like_std() {
        const SEED: u64 = 0x5eed_f10a7;
        let mut rng = Rng::new(SEED);
        // In a browser (wasm32 test runs) a sample: the same code, slower machinery.
        let count = if cfg!(target_arch = "wasm32") { 20_000 } else { 1_000_000 };
        for i in 0..count {
            let v = match i % 10 {
                0..=2 => f64::from_bits(rng.next_u64()),
                // Subnormals and the smallest normals.
                3 => f64::from_bits(rng.next_u64() >> (12 + rng.below(52))),
                4 => rng.below(1_000_000) as f64 / [10.0, 100.0, 1000.0, 1e4][rng.below(4) as usize],
                // Halfway cases at 0 to 3 decimals: odd multiples of 1/2, 1/8 (0.125 at 2), 1/16.
                5 => (2 * rng.below(1 << 20) + 1) as f64 / [2.0, 4.0, 8.0, 16.0, 32.0][rng.below(5) as usize],
                6 => rng.below(1 << 53) as f64 / rng.below(1 << 20).max(1) as f64,
                7 => (1.0 + rng.below(1000) as f64 / 1000.0) * 2f64.powi(rng.below(2098) as i32 - 1074),
                8 => rng.below(1000) as f64 * 10f64.powi(rng.below(640) as i32 - 330),
                _ => f64::from_bits(rng.next_u64() >> 1) / 1e6,
            };
            same_text(if rng.below(2) == 0 { v } else { -v }, SEED);
        }
    }
}
