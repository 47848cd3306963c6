//! JSON: the [`Report`] serialized as documented in [`crate::report::document`].

use std::io::{self, Write};

use crate::report::document::Report;

/// Writes the report as pretty-printed JSON followed by a newline.
pub fn write(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, report).map_err(io::Error::from)?;
    writeln!(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::builder::tests::corpus;
    use crate::report::{Dimension, ReportBuilder, ReportOptions};

    #[test]
    fn json_follows_the_documented_schema() {
        let mut b = ReportBuilder::new(ReportOptions {
            breakdown: vec![Dimension::Source, Dimension::Date],
            ..Default::default()
        })
        .unwrap();
        for r in corpus() {
            b.add(&r).unwrap();
        }
        let mut out = Vec::new();
        write(&b.finish(), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["schema"], "stance-report/1");
        assert_eq!(v["settings"]["by"][1], "date");
        assert_eq!(v["settings"]["period"], "month");
        assert_eq!(v["totals"]["rows_read"], 6);
        assert_eq!(v["stance_labels"][0], "favor");
        let t = &v["topics"][0];
        for key in [
            "topic",
            "statements",
            "share",
            "articles",
            "stances",
            "net_stance",
            "mean_topic_prob",
            "mean_stance_prob",
            "below_threshold",
        ] {
            assert!(t.get(key).is_some(), "missing {key}");
        }
        assert_eq!(t["stances"][0]["label"], "favor");
        assert_eq!(v["breakdown"]["dimensions"][0], "source");
        assert_eq!(v["breakdown"]["rows"][0]["key"][0], "tv");
        assert_eq!(v["timeline"][0]["period"], "2024-01");
        assert_eq!(v["sources"][0]["source"], "wire");
        assert_eq!(v["problems"]["count"], 0);
        assert!(v["top_terms"].as_array().unwrap().is_empty());
        // Stance over time: palestine's January over all sources, then per source.
        let sot = &v["stance_over_time"];
        assert_eq!(sot["period"], "month");
        assert_eq!(sot["by_source"], true);
        let s0 = &sot["series"][0];
        assert_eq!(
            (s0["topic"].as_str(), s0["source"].is_null()),
            (Some("palestine"), true)
        );
        assert_eq!(s0["points"][0]["period"], "2024-01");
        assert_eq!(s0["points"][0]["statements"], 3);
        assert_eq!(s0["points"][0]["net_stance"], 1.0 / 3.0);
        assert_eq!(sot["series"][1]["source"], "wire");
        // Undated a3 is in no series: palestine has one point only.
        assert_eq!(s0["points"].as_array().unwrap().len(), 1);
        // Examples: the most confident palestine/favor statement first, uncertain has none.
        let e0 = &v["examples"][0];
        assert_eq!(
            (e0["topic"].as_str(), e0["stance"].as_str()),
            (Some("palestine"), Some("favor"))
        );
        assert_eq!(e0["statements"][0]["article_id"], "a3");
        assert_eq!(e0["statements"][0]["stance_prob"], 0.8);
        assert!(v["examples"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["topic"] != "uncertain"));
        assert!(v["provenance"].is_null());
    }
}
