# Password hashes of mosquitto_passwd ($6$ SHA-512, $7$ PBKDF2-HMAC-SHA512) for the password files
# of both brokers, and `./ns3-mqtt passwd`: OpenSSL's libcrypto (Debian's libssl-dev). Its own
# library so that the ns-3 broker gets them without the POSIX driver (doc/auth.md).
find_package(OpenSSL 3 REQUIRED)
add_library(mqtt-crypto STATIC model/crypto/mqtt-password-hashes.cc model/crypto/mqtt-base64.cc
    model/crypto/mqtt-scram.cc)
target_include_directories(mqtt-crypto PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/model/crypto)
target_link_libraries(mqtt-crypto PUBLIC mqtt-core PRIVATE OpenSSL::Crypto)
set_target_properties(mqtt-crypto PROPERTIES POSITION_INDEPENDENT_CODE ON)
mqtt_target_warnings(mqtt-crypto)

# ./ns3-mqtt passwd FILE USER
add_executable(mqtt-passwd apps/mqtt-passwd-main.cc)
target_link_libraries(mqtt-passwd PRIVATE mqtt-crypto mqtt-cli)
mqtt_target_warnings(mqtt-passwd)

# SCRAM-SHA-256 and the other crypto pieces: their own small test binary (label core, as they
# are pure functions of their input).
file(GLOB MQTT_CRYPTO_TEST_SOURCES CONFIGURE_DEPENDS test/crypto/*-test.cc)
add_executable(mqtt-crypto-tests ${MQTT_CRYPTO_TEST_SOURCES})
target_link_libraries(mqtt-crypto-tests PRIVATE mqtt-crypto GTest::gtest GTest::gtest_main)
mqtt_target_warnings(mqtt-crypto-tests)
gtest_discover_tests(mqtt-crypto-tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS core)
