#pragma once
// Where the user's code called into ember: the stack above libember's own frames, symbolised
// as far as the binaries allow (executables linked with -rdynamic name their functions;
// otherwise "binary+0xoffset", which addr2line resolves).
#include <string>
#include <vector>

namespace ember {

// Up to `frames` lines, "    function (binary+0xoffset)\n" each, innermost first.
std::string caller_stack(int frames = 6);

// The return addresses of up to `frames` frames above libember, innermost first: cheap (no
// symbol lookup), for recording per traced op; symbolise them when they are shown.
std::vector<void*> caller_frames(int frames = 3);
// "function (binary+0xoffset)" per frame, joined by `separator`.
std::string symbolise(const std::vector<void*>& frames, const char* separator = " < ");

}  // namespace ember
