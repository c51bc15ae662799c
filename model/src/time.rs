//! Durations in words, as pages show them: "5 h 12 min", "3 days", "2 months".
//! Computed from times the host sent (the browser's clock is not needed).

use chrono::Duration;

/// A duration in the two largest units that matter: "45 s", "12 min", "5 h 12 min",
/// "3 days", "2 months", "1 year". Negative durations read as zero.
pub fn span(d: Duration) -> String {
    let secs = d.num_seconds().max(0);
    let plural = |n: i64, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        3600..86_400 => match (secs / 3600, secs % 3600 / 60) {
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        },
        86_400..2_592_000 => plural(secs / 86_400, "day"),
        2_592_000..31_536_000 => plural(secs / 2_592_000, "month"),
        _ => plural(secs / 31_536_000, "year"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_in_the_units_that_matter() {
        assert_eq!(span(Duration::seconds(-5)), "0 s");
        assert_eq!(span(Duration::seconds(45)), "45 s");
        assert_eq!(span(Duration::minutes(12)), "12 min");
        assert_eq!(span(Duration::minutes(5 * 60 + 12)), "5 h 12 min");
        assert_eq!(span(Duration::hours(5)), "5 h");
        assert_eq!(span(Duration::days(1)), "1 day");
        assert_eq!(span(Duration::days(3)), "3 days");
        assert_eq!(span(Duration::days(65)), "2 months");
        assert_eq!(span(Duration::days(800)), "2 years");
    }
}
