// sherpa-onnx's C API, from the copy Scripts/setup installs into .python-packages/ of this
// checkout. Nothing is linked: Speech opens the library with dlopen when a Piper voice is first
// used, so soothe still runs (with flite) where the library is missing. The typedefs give Swift the
// type of each function it looks up with dlsym; __typeof__ does not reference the symbol.
#if __has_include("../../.python-packages/sherpa_onnx/include/sherpa-onnx/c-api/c-api.h")
#include "../../.python-packages/sherpa_onnx/include/sherpa-onnx/c-api/c-api.h"
#else
#error "sherpa-onnx's C header is missing: run Scripts/setup, which installs it into .python-packages/"
#endif

typedef __typeof__(&SherpaOnnxGetVersionStr) SootheSherpaGetVersionStr;
typedef __typeof__(&SherpaOnnxCreateOfflineTts) SootheSherpaCreateOfflineTts;
typedef __typeof__(&SherpaOnnxDestroyOfflineTts) SootheSherpaDestroyOfflineTts;
typedef __typeof__(&SherpaOnnxOfflineTtsSampleRate) SootheSherpaOfflineTtsSampleRate;
typedef __typeof__(&SherpaOnnxOfflineTtsGenerateWithConfig) SootheSherpaOfflineTtsGenerateWithConfig;
typedef __typeof__(&SherpaOnnxDestroyOfflineTtsGeneratedAudio) SootheSherpaDestroyOfflineTtsGeneratedAudio;
