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
      # -march=native: npm install builds on the machine that trains, so the kernels use its vector
      # instructions. NOTE: a build copied to an older CPU can crash with an illegal instruction;
      # rebuild there with node scripts/build-native.mjs.
      # -fno-math-errno lets GCC vectorize sqrtf and exp loops; no kernel reads errno.
      "cflags": ["-O3", "-march=native", "-fno-math-errno", "-std=c11", "-Wall", "-Wextra"],
      "libraries": ["-L<(openblas_lib)", "-Wl,-rpath,<(openblas_lib)", "-lopenblas"]
    }
  ]
}
