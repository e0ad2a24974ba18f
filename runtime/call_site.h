#pragma once
// Where the user's code called into ember: the stack above libember's own frames, symbolised
// as far as the binaries allow (executables linked with -rdynamic name their functions;
// otherwise "binary+0xoffset", which addr2line resolves).
#include <string>

namespace ember {

// Up to `frames` lines, "    function (binary+0xoffset)\n" each, innermost first.
std::string caller_stack(int frames = 6);

}  // namespace ember
