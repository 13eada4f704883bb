{
  "targets": [
    {
      "target_name": "chainrule",
      "sources": [
        "native/addon.cc",
        "native/addon-buffers.cc",
        "native/args.cc",
        "native/attention.cc",
        "native/calls.cc",
        "native/calls-activation.cc",
        "native/calls-conv.cc",
        "native/calls-index.cc",
        "native/calls-norm.cc",
        "native/napi-args.cc",
        "native/buffers.cc",
        "native/conv.cc",
        "native/conv-winograd.cc",
        "native/copy.cc",
        "native/elementwise.cc",
        "native/gemm.cc",
        "native/index.cc",
        "native/isa.cc",
        "native/isa-avx2.cc",
        "native/isa-avx512.cc",
        "native/isa-portable.cc",
        "native/matmul.cc",
        "native/optim.cc",
        "native/norm.cc",
        "native/pool.cc",
        "native/recurrent.cc",
        "native/reduce.cc",
        "native/scan.cc",
        "native/softmax.cc",
        "native/sort.cc",
        "native/thread-pool.cc"
      ],
      "defines": ["NAPI_EXPERIMENTAL", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++14", "-std=c++14", "-O2", "-O0"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags!": ["-O2", "-O0"],
      "cflags": ["-O3", "-pthread"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_OPTIMIZATION_LEVEL": "3",
        "OTHER_CPLUSPLUSFLAGS": ["-fno-math-errno"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17", "/O2"] } }
    }
  ]
}
