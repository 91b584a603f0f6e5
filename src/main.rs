/// mimalloc instead of glibc's malloc: every API answer becomes JSON values and then Rhai maps, and
/// the emulator builds and frees its answers the same way, so allocation was a fifth of the CPU
/// time of a call on either side (perf); with mimalloc a `get_policies` round trip took 20% less
/// (BENCHMARKS.md, case 2).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    falconry_alloc::tune();
    std::process::exit(falconry::cli::main());
}
