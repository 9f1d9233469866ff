# Hardware in the loop: real sockets inside a real-time simulation (MqttRealtimeBridge), the
# transport the ns-3 applications use on them, and the helper. Its own library, so simulations
# that do not use real sockets do not link it.
set_target_properties(mqtt-posix PROPERTIES POSITION_INDEPENDENT_CODE ON)
add_library(ns3-mqtt-realtime SHARED
    helper/mqtt-realtime-helper.cc
    model/realtime/mqtt-real-transport.cc
    model/realtime/mqtt-realtime-bridge.cc
)
find_package(Threads REQUIRED)
target_include_directories(ns3-mqtt-realtime PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/model/realtime)
target_link_libraries(ns3-mqtt-realtime PUBLIC ns3-mqtt mqtt-posix ns3::libcore Threads::Threads)
mqtt_target_warnings(ns3-mqtt-realtime)

# The HIL examples (examples/mqtt-hil-*.cc, built by the example loop) use it, and FdNetDevice
# for packet-level HIL on a TAP device.
foreach(_name IN LISTS MQTT_EXAMPLE_TARGETS)
    if(_name MATCHES "^mqtt-hil-")
        target_link_libraries(${_name} PRIVATE ns3-mqtt-realtime ns3::libfd-net-device)
    endif()
endforeach()

# Real-time tests (label "realtime"): real clients and the simulated broker, simulated clients
# and real brokers, the latency the bridge adds, and packet-level HIL (as root).
file(GLOB MQTT_REALTIME_TEST_SOURCES CONFIGURE_DEPENDS test/realtime/*-test.cc)
if(MQTT_REALTIME_TEST_SOURCES)
    add_executable(mqtt-realtime-tests ${MQTT_REALTIME_TEST_SOURCES})
    target_link_libraries(mqtt-realtime-tests PRIVATE ns3-mqtt-realtime mqtt-posix-test-util
        ns3::libpoint-to-point ns3::libinternet GTest::gtest GTest::gtest_main)
    target_compile_definitions(mqtt-realtime-tests PRIVATE
        MQTT_TEST_SOURCE_DIR="${CMAKE_CURRENT_SOURCE_DIR}"
        MQTT_EXAMPLES_DIR="${CMAKE_CURRENT_BINARY_DIR}")
    mqtt_target_warnings(mqtt-realtime-tests)
    foreach(_name IN LISTS MQTT_EXAMPLE_TARGETS)
        if(_name MATCHES "^mqtt-hil-")
            add_dependencies(mqtt-realtime-tests ${_name})
        endif()
    endforeach()
    gtest_discover_tests(mqtt-realtime-tests DISCOVERY_TIMEOUT 60
        PROPERTIES LABELS realtime TIMEOUT 180 RUN_SERIAL TRUE)
endif()
