//! placeholder
use pyo3::prelude::*;
#[pymodule]
fn _stance(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
