# Real-socket mode: the POSIX transport (epoll, non-blocking TCP) that runs the same engines on
# real sockets, the standalone broker, and the interoperability and hostile-peer tests.
# Not part of the core (it uses sockets) and links nothing but the core and SQLite: no ns-3, so the
# sanitizer build (MQTT_CORE_ONLY) builds and tests it too.
set(MQTT_POSIX_SOURCES
    model/posix/mqtt-posix-broker.cc
    model/posix/mqtt-posix-broker-output.cc
    model/posix/mqtt-posix-broker-store.cc
    model/posix/mqtt-client-streams.cc
    model/posix/mqtt-posix-broker-streams.cc
    model/posix/mqtt-posix-client.cc
    model/posix/mqtt-posix-clock.cc
    model/posix/mqtt-posix-endpoint.cc
    model/posix/mqtt-posix-output-buffer.cc
    model/posix/mqtt-posix-reactor.cc
    model/posix/mqtt-posix-socket.cc
    model/posix/mqtt-posix-timer-queue.cc
    model/posix/mqtt-stream-layer.cc
    model/posix/mqtt-tls.cc
    model/posix/mqtt-websocket-frame.cc
    model/posix/mqtt-websocket-layer.cc
    model/posix/mqtt-posix-store-writer.cc
    model/posix/mqtt-sqlite-store.cc
)
# SQLite (Debian's libsqlite3-dev) is the standalone broker's durable store (--persistence).
find_package(SQLite3 REQUIRED)
find_package(Threads REQUIRED)
add_library(mqtt-posix STATIC ${MQTT_POSIX_SOURCES})
target_include_directories(mqtt-posix PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/model/posix)
# TLS and the WebSocket handshake's SHA-1 and base64: OpenSSL (Debian's libssl-dev).
find_package(OpenSSL 3 REQUIRED)
target_link_libraries(mqtt-posix PUBLIC mqtt-core SQLite::SQLite3 Threads::Threads PRIVATE OpenSSL::SSL OpenSSL::Crypto)
mqtt_target_warnings(mqtt-posix)

# The standalone broker: ./ns3-mqtt broker runs it.
add_executable(mqtt-broker apps/mqtt-broker-main.cc apps/mqtt-broker-limits.cc)
target_link_libraries(mqtt-broker PRIVATE mqtt-posix)
mqtt_target_warnings(mqtt-broker)

# What TLS costs on loopback (./ns3-mqtt bench tls-cost; doc/real-socket.md).
add_executable(mqtt-tls-cost-bench bench/tls/mqtt-tls-cost.cc)
target_link_libraries(mqtt-tls-cost-bench PRIVATE mqtt-posix)
mqtt_target_warnings(mqtt-tls-cost-bench)

# The core's TLS model against real OpenSSL handshakes in memory (./ns3-mqtt bench tls;
# doc/tls-sim.md). The test runs it with --check: every byte ratio within 0.95-1.05.
add_executable(mqtt-tls-model-bench bench/tls/mqtt-tls-model-bench.cc bench/tls/mqtt-tls-real.cc)
target_link_libraries(mqtt-tls-model-bench PRIVATE mqtt-core OpenSSL::SSL OpenSSL::Crypto)
mqtt_target_warnings(mqtt-tls-model-bench)
add_test(NAME tls-model-vs-openssl COMMAND mqtt-tls-model-bench --check)
set_tests_properties(tls-model-vs-openssl PROPERTIES LABELS posix TIMEOUT 120)

# Interoperability (mosquitto, mosquitto_pub/sub) and hostile-peer tests on loopback.
# Their helpers (processes, a raw MQTT connection) are shared with the real-time tests.
add_library(mqtt-posix-test-util STATIC test/posix/mqtt-posix-test-util.cc
                                        test/posix/mqtt-posix-raw-client.cc)
target_include_directories(mqtt-posix-test-util PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/test/posix)
target_link_libraries(mqtt-posix-test-util PUBLIC mqtt-posix)
target_compile_definitions(mqtt-posix-test-util PRIVATE
    MQTT_BROKER_BINARY="$<TARGET_FILE:mqtt-broker>")
add_dependencies(mqtt-posix-test-util mqtt-broker)
mqtt_target_warnings(mqtt-posix-test-util)
file(GLOB MQTT_POSIX_TEST_SOURCES CONFIGURE_DEPENDS test/posix/*-test.cc)
if(MQTT_POSIX_TEST_SOURCES)
    add_executable(mqtt-posix-tests ${MQTT_POSIX_TEST_SOURCES})
    target_link_libraries(mqtt-posix-tests PRIVATE mqtt-posix-test-util GTest::gtest
        GTest::gtest_main OpenSSL::SSL)
    target_compile_definitions(mqtt-posix-tests PRIVATE
        MQTT_TEST_SOURCE_DIR="${CMAKE_CURRENT_SOURCE_DIR}"
        MQTT_BROKER_BINARY="$<TARGET_FILE:mqtt-broker>")
    if(MQTT_SANITIZE)
        target_compile_definitions(mqtt-posix-tests PRIVATE MQTT_SANITIZED=1)
    endif()
    add_dependencies(mqtt-posix-tests mqtt-broker)
    mqtt_target_warnings(mqtt-posix-tests)
    gtest_discover_tests(mqtt-posix-tests DISCOVERY_TIMEOUT 60
        PROPERTIES LABELS posix TIMEOUT 180)
endif()
