//! The WASM client binary that Trunk builds (`csr` only).

fn main() {
    portico_app::mount();
}
