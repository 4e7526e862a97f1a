// The library product: `import A2MKit` gives an app every module's public API. Each stage of the pipeline is
// its own module (docs/architecture.md has the graph), so the compiler enforces which may depend on which.
@_exported import A2MCore
@_exported import A2MAudio
@_exported import A2MMotion
@_exported import A2MNN
@_exported import A2MGeneration
@_exported import A2MTraining
@_exported import A2MEvaluation
@_exported import A2MCorpus
@_exported import A2MView
@_exported import A2MRetarget
@_exported import A2MExport
@_exported import A2MLive
