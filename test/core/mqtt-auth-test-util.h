/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A scratch directory for the password and ACL file tests, removed when the test ends.
 */
#ifndef MQTT_AUTH_TEST_UTIL_H
#define MQTT_AUTH_TEST_UTIL_H

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace mqtt_test
{

class ScratchDir
{
  public:
    ScratchDir()
    {
        // The pid and the test name keep parallel ctest processes apart.
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_path = std::filesystem::temp_directory_path() /
                 ("mqtt-auth-" + std::to_string(::getpid()) + "-" + info->name());
        std::filesystem::create_directories(m_path);
    }

    ~ScratchDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }

    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    /** Writes @p content (bytes as given) to NAME in the directory and returns its path. */
    std::string
    Write(const std::string& name, std::string_view content) const
    {
        const std::string path = (m_path / name).string();
        std::ofstream out(path, std::ios::binary);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        return path;
    }

    std::string
    Path(const std::string& name) const
    {
        return (m_path / name).string();
    }

  private:
    std::filesystem::path m_path;
};

/** A file of the repository's test/data/auth directory. */
inline std::string
AuthDataFile(const std::string& name)
{
    return std::string(MQTT_TEST_SOURCE_DIR) + "/test/data/auth/" + name;
}

} // namespace mqtt_test

#endif // MQTT_AUTH_TEST_UTIL_H
