//! Embeds libtorch's `lib/` directory as an rpath so that `cargo run`, `cargo test` and the built
//! binary find `libtorch*.so` without `LD_LIBRARY_PATH`.
//!
//! torch-sys (`links = "tch"`) publishes the directory it linked against as `DEP_TCH_LIBTORCH_LIB`.
//! The directory stays inside the Python environment it came from, so `libtorch_cuda.so` still
//! finds the NVIDIA wheels through its own `$ORIGIN` rpath.

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    if let Ok(lib_dir) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{lib_dir}");
    }
}
