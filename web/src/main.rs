//! Entry point of the wasm binary: `cargo xtask web` builds it.

fn main() {
    web::run();
}
