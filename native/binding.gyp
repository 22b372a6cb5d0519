{
  "variables": {
    "openblas_include%": "",
    "openblas_lib%": ""
  },
  "targets": [
    {
      "target_name": "winnow_native",
      "sources": [
        "src/adam.c", "src/addon.c", "src/args.c", "src/attention.c", "src/cross-entropy.c", "src/embedding.c",
        "src/gemm.c", "src/layer-norm.c", "src/linear.c", "src/masking.c", "src/softmax.c"
      ],
      "include_dirs": ["<(openblas_include)"],
      "cflags": ["-O3", "-march=native", "-fno-math-errno", "-std=c11", "-Wall", "-Wextra"],
      "libraries": ["-L<(openblas_lib)", "-Wl,-rpath,<(openblas_lib)", "-lopenblas"]
    }
  ]
}
