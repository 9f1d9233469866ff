# Build options and compiler flags shared by every target of ours.
option(MQTT_WERROR "Treat warnings in our own code as errors (on in CI)" OFF)
option(MQTT_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(MQTT_CORE_ONLY "Build only the protocol core, its tests and fuzzers (no ns-3)" OFF)
option(MQTT_FUZZ "Build libFuzzer targets (needs clang)" OFF)

if(MQTT_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                        -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
endif()

# Warnings apply to our targets only: ns-3 headers are not ours to fix.
function(mqtt_target_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra)
    if(MQTT_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()
