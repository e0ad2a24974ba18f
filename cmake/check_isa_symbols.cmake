# ctest isa_isolation: an object built for one ISA (-mavx2 -mfma) must not define a weak
# (COMDAT) symbol that other translation units could share, or the linker may keep that
# ISA's copy for the whole library. Every weak symbol it defines must name its ISA namespace.
# Usage: cmake -DNM=<nm> -DISA=avx2 -DOBJECTS=<a.o;b.o> -P check_isa_symbols.cmake
set(bad "")
foreach(obj IN LISTS OBJECTS)
  execute_process(COMMAND ${NM} -C --defined-only ${obj} OUTPUT_VARIABLE syms RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nm failed on ${obj}")
  endif()
  string(REPLACE "\n" ";" lines "${syms}")
  foreach(line IN LISTS lines)
    if(line MATCHES "^[0-9a-f]+ [WVu] (.*)$")
      set(name "${CMAKE_MATCH_1}")
      # Type descriptors (UBSan's function checks emit them for function types) hold no code.
      if(NOT name MATCHES "${ISA}" AND NOT name MATCHES "^typeinfo (name )?for ")
        string(APPEND bad "  ${obj}: ${name}\n")
      endif()
    endif()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "weak symbols shared with other code in ${ISA} objects:\n${bad}"
          "Keep ISA-specific code in its namespace and avoid inline functions and templates of "
          "other code (std::copy, ...) there.")
endif()
message(STATUS "${ISA} objects define no shared weak symbols")
