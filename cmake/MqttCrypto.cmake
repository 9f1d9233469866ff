# Password hashes of mosquitto_passwd ($6$ SHA-512, $7$ PBKDF2-HMAC-SHA512) for the password files
# of both brokers, and `./ns3-mqtt passwd`: OpenSSL's libcrypto (Debian's libssl-dev). Its own
# library so that the ns-3 broker gets them without the POSIX driver (doc/auth.md).
find_package(OpenSSL 3 REQUIRED)
add_library(mqtt-crypto STATIC model/crypto/mqtt-password-hashes.cc)
target_include_directories(mqtt-crypto PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/model/crypto)
target_link_libraries(mqtt-crypto PUBLIC mqtt-core PRIVATE OpenSSL::Crypto)
set_target_properties(mqtt-crypto PROPERTIES POSITION_INDEPENDENT_CODE ON)
mqtt_target_warnings(mqtt-crypto)

# ./ns3-mqtt passwd FILE USER
add_executable(mqtt-passwd apps/mqtt-passwd-main.cc)
target_link_libraries(mqtt-passwd PRIVATE mqtt-crypto mqtt-cli)
mqtt_target_warnings(mqtt-passwd)
