//! `stance inspect MODEL`: what a model file holds, as text or one JSON object.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::ModelLimitArgs;
use crate::model::ModelDescription;

/// Arguments of `stance inspect`.
#[derive(Debug, Clone, clap::Args)]
pub struct InspectArgs {
    /// The model file.
    pub model: PathBuf,
    #[command(flatten)]
    pub limit: ModelLimitArgs,
    /// Terms per class in the top-terms lists.
    #[arg(long, default_value_t = 10, value_name = "K")]
    pub top_terms: usize,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `stance inspect`.
pub fn run(args: InspectArgs) -> anyhow::Result<ExitCode> {
    let model = args
        .limit
        .load(&args.model)
        .with_context(|| format!("cannot load model {}", args.model.display()))?;
    let v =
        ModelDescription::of(&model, &args.model.display().to_string(), args.top_terms).to_json();
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{v}")?;
    } else {
        write_text(&v, &mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_text(v: &serde_json::Value, out: &mut dyn Write) -> std::io::Result<()> {
    let list = |x: &serde_json::Value| {
        x.as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    writeln!(out, "model: {}", v["model"].as_str().unwrap_or(""))?;
    writeln!(out, "topics: {}", list(&v["topics"]))?;
    writeln!(out, "stance labels: {}", list(&v["stance_labels"]))?;
    writeln!(out, "stance roles: {}", v["stance_roles"])?;
    writeln!(out, "vocabulary: {} terms", v["vocabulary"]["terms"])?;
    for f in v["vocabulary"]["families"].as_array().into_iter().flatten() {
        writeln!(
            out,
            "  {}: {}",
            f["family"].as_str().unwrap_or(""),
            f["terms"]
        )?;
    }
    writeln!(out, "analyzer: {}", v["analyzer"])?;
    let t = &v["training"];
    writeln!(
        out,
        "training data sha256: {}",
        t["data_sha256"].as_str().unwrap_or("")
    )?;
    for f in t["data_files"].as_array().into_iter().flatten() {
        writeln!(
            out,
            "  file sha256 {} ({} rows)",
            f["sha256"].as_str().unwrap_or(""),
            f["rows"]
        )?;
    }
    writeln!(
        out,
        "rows: {}, trained by {}",
        t["n_rows"],
        t["trained_by"].as_str().unwrap_or("")
    )?;
    writeln!(
        out,
        "trained at: {}",
        t["trained_at"]
            .as_str()
            .unwrap_or("not recorded (train with SOURCE_DATE_EPOCH set to record it)")
    )?;
    for p in t["params"].as_array().into_iter().flatten() {
        writeln!(
            out,
            "  param {} = {}",
            p[0].as_str().unwrap_or(""),
            p[1].as_str().unwrap_or("")
        )?;
    }
    for c in t["cv"].as_array().into_iter().flatten() {
        writeln!(
            out,
            "  CV {} C={} {} {:.4}",
            c["head"].as_str().unwrap_or(""),
            c["c"],
            c["metric"].as_str().unwrap_or(""),
            c["score"].as_f64().unwrap_or(f64::NAN)
        )?;
    }
    for f in v["fits"].as_array().into_iter().flatten() {
        writeln!(
            out,
            "  fit {} C={}: {} after {} iterations ({}), max |gradient| {:.2e}",
            f["head"].as_str().unwrap_or(""),
            f["c"],
            if f["converged"] == true {
                "converged"
            } else {
                "NOT converged"
            },
            f["iterations"],
            f["termination"].as_str().unwrap_or(""),
            f["grad_max_abs"].as_f64().unwrap_or(f64::NAN)
        )?;
    }
    writeln!(out, "calibration: {}", v["calibration"])?;
    writeln!(
        out,
        "context stage: {}",
        if v["context_stage"] == true {
            "yes"
        } else {
            "no"
        }
    )?;
    for h in v["top_terms"].as_array().into_iter().flatten() {
        let terms: Vec<String> = h["terms"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                format!(
                    "{} {:+.3}",
                    p[0].as_str().unwrap_or(""),
                    p[1].as_f64().unwrap_or(0.0)
                )
            })
            .collect();
        writeln!(
            out,
            "top terms {} {}: {}",
            h["head"].as_str().unwrap_or(""),
            h["label"].as_str().unwrap_or(""),
            terms.join(", ")
        )?;
    }
    Ok(())
}
