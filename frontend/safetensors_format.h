#pragma once
// The safetensors bytes (an 8-byte header length, a JSON header, then raw little-endian
// data), apart from files: serialize.cpp writes them to disk, exported steps into a zip.
#include <string>

#include "ember/serialize.h"

namespace ember::safetensors {

// Errors name `who` ("save").
std::string encode(const NamedTensorList& tensors, const char* who);
// Validates everything; errors say "corrupt safetensors file '<where>': ...".
NamedTensorList decode(const char* data, size_t size, const std::string& where, Device device);

}  // namespace ember::safetensors
