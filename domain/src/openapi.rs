//! OpenAPI 3 documents uploaded with a product's API: read as JSON or YAML, checked to
//! be OpenAPI 3, and reduced to what the portal shows (title and operations).

use portico_model::{ApiOperation, FieldError};
use serde_json::Value;

/// The most a document may weigh.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// What the portal keeps of a document.
#[derive(Debug)]
pub struct Spec {
    /// "title version".
    pub title: String,
    pub operations: Vec<ApiOperation>,
    /// The document, re-encoded as JSON.
    pub json: String,
}

/// Reads a JSON or YAML OpenAPI 3 document.
pub fn read(text: &str) -> Result<Spec, FieldError> {
    let refuse = |m: &str| FieldError::new("spec", m);
    if text.len() > MAX_BYTES {
        return Err(refuse("The document is larger than 2 MB."));
    }
    // YAML is a superset of JSON, so one parser reads both.
    let doc: Value =
        serde_yaml::from_str(text).map_err(|e| refuse(&format!("This is not valid JSON or YAML: {e}")))?;
    let version = doc.get("openapi").and_then(Value::as_str).unwrap_or_default();
    if !version.starts_with("3.") {
        return Err(refuse("Only OpenAPI 3 documents are supported (the `openapi` field must be 3.x)."));
    }
    let info = doc.get("info");
    let field = |name: &str| info.and_then(|i| i.get(name)).and_then(Value::as_str).unwrap_or_default();
    let title = format!("{} {}", field("title"), field("version")).trim().to_owned();
    let mut operations = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    let text = |k: &str| op.get(k).and_then(Value::as_str).map(str::to_owned);
                    operations.push(ApiOperation {
                        method: method.to_uppercase(),
                        path: path.clone(),
                        summary: text("summary").or_else(|| text("operationId")).unwrap_or_default(),
                    });
                }
            }
        }
    }
    let json =
        serde_json::to_string(&doc).map_err(|e| refuse(&format!("The document cannot be stored: {e}")))?;
    Ok(Spec { title, operations, json })
}

#[cfg(test)]
mod tests {
    use super::read;

    #[test]
    fn yaml_and_json_documents_give_their_operations() {
        let yaml = "openapi: 3.0.3\ninfo:\n  title: Payments\n  version: '1.2'\npaths:\n  /payments:\n    get:\n      summary: List payments\n    post:\n      operationId: createPayment\n";
        let spec = read(yaml).unwrap();
        assert_eq!(spec.title, "Payments 1.2");
        let ops: Vec<_> = spec.operations.iter().map(|o| (o.method.as_str(), o.summary.as_str())).collect();
        assert_eq!(ops, [("GET", "List payments"), ("POST", "createPayment")]);
        let json = read(&spec.json).unwrap();
        assert_eq!(json.operations, spec.operations);
    }

    #[test]
    fn other_documents_are_refused_with_a_reason() {
        assert!(read("swagger: '2.0'\ninfo: {title: x}").unwrap_err().message.contains("OpenAPI 3"));
        assert!(read("{ not json").unwrap_err().message.contains("not valid"));
        assert!(read(&"x".repeat(super::MAX_BYTES + 1)).is_err());
    }
}
