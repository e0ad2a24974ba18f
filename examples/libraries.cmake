# The examples' models and training loops as libraries: the example binaries, ember-bench,
# ember-dump and the tests share them (included by examples/ and, when the examples are off,
# by tests/ and bench/).
if(TARGET ember_notes)
  return()
endif()
set(examples_dir ${CMAKE_CURRENT_LIST_DIR})

# The notes' programs.
file(GLOB EMBER_NOTES_SOURCES CONFIGURE_DEPENDS ${examples_dir}/notes/*.cpp)
add_library(ember_notes STATIC ${EMBER_NOTES_SOURCES})
target_include_directories(ember_notes PUBLIC ${examples_dir})
target_link_libraries(ember_notes PUBLIC ember)

# examples/cnn: the LeNet-style model on generated shapes.
add_library(ember_cnn STATIC ${examples_dir}/cnn/shapes.cpp ${examples_dir}/cnn/lenet.cpp)
target_include_directories(ember_cnn PUBLIC ${examples_dir})
target_link_libraries(ember_cnn PUBLIC ember)

# The text the language-model examples learn (the repository's own files).
add_library(ember_text STATIC ${examples_dir}/text/char_corpus.cpp)
target_include_directories(ember_text PUBLIC ${examples_dir})
target_link_libraries(ember_text PUBLIC ember)
target_compile_definitions(ember_text PRIVATE EMBER_EXAMPLES_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

# examples/lstm: the character-level LSTM language model (learns docs/ARCHITECTURE.md).
add_library(ember_lstm STATIC ${examples_dir}/lstm/char_lstm.cpp)
target_link_libraries(ember_lstm PUBLIC ember_text)

# examples/gpt: the character-level GPT (gpt/gpt_model.inc is also ember-bench's libtorch
# workload); it learns the repository's docs and headers.
add_library(ember_gpt STATIC ${examples_dir}/gpt/char_gpt.cpp)
target_link_libraries(ember_gpt PUBLIC ember_text)
