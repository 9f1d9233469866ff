/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A scratch directory per test, removed afterwards.
 */
#ifndef MQTT_SWEEP_TEST_UTIL_H
#define MQTT_SWEEP_TEST_UTIL_H

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

class ScratchDir
{
  public:
    ScratchDir()
    {
        std::string tmpl = (std::filesystem::temp_directory_path() / "mqtt-sweep-XXXXXX").string();
        char* made = ::mkdtemp(tmpl.data());
        EXPECT_NE(made, nullptr);
        m_path = tmpl;
    }

    ~ScratchDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }

    const std::string&
    Path() const
    {
        return m_path;
    }

    std::string
    Write(const std::string& name, const std::string& text) const
    {
        std::string path = m_path + "/" + name;
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }

    static std::string
    Read(const std::string& path)
    {
        std::ifstream in(path, std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

  private:
    std::string m_path;
};

#endif // MQTT_SWEEP_TEST_UTIL_H
