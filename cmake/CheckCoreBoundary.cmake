# Fails when a file of the protocol core includes anything outside the standard library and the
# core itself (ns-3, POSIX sockets, Boost, HDF5, YAML, JSON), or reads a clock. Run with
#   cmake -DCORE_DIR=<model/core> -P CheckCoreBoundary.cmake
# Every file in the core directory is checked, header-only files included. The core target's
# include path already makes a driver header unreachable; this check also catches system headers
# and quoted includes that would only resolve through some other target's include path.
file(GLOB _files "${CORE_DIR}/*.h" "${CORE_DIR}/*.cc")
if(NOT _files)
    message(FATAL_ERROR "CheckCoreBoundary: no core files in ${CORE_DIR}")
endif()
set(_forbidden "ns3/|sys/socket|netinet/|arpa/|sys/epoll|boost/|hdf5|H5Cpp|yaml|nlohmann|unistd\\.h|pthread\\.h|<thread>")
set(_bad "")
foreach(_f IN LISTS _files)
    file(STRINGS "${_f}" _includes REGEX "^[ \t]*#[ \t]*include")
    foreach(_line IN LISTS _includes)
        if(_line MATCHES "${_forbidden}")
            list(APPEND _bad "${_f}: ${_line}")
        endif()
        # A quoted include must name a header of the core directory itself.
        if(_line MATCHES "\"([^\"]+)\"")
            if(NOT EXISTS "${CORE_DIR}/${CMAKE_MATCH_1}")
                list(APPEND _bad "${_f}: not a core header: ${_line}")
            endif()
        endif()
    endforeach()
    # Time is an input of the core: it never reads a clock itself.
    file(STRINGS "${_f}" _clock REGEX "(steady_clock|system_clock|high_resolution_clock|time\\(NULL\\)|time\\(nullptr\\)|clock_gettime|gettimeofday)")
    foreach(_line IN LISTS _clock)
        list(APPEND _bad "${_f}: reads a clock: ${_line}")
    endforeach()
endforeach()
if(_bad)
    string(REPLACE ";" "\n  " _msg "${_bad}")
    message(FATAL_ERROR "The protocol core must use the standard library only:\n  ${_msg}")
endif()
