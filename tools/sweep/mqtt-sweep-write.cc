/*
 * SPDX-License-Identifier: GPL-2.0-only
 */
#include "mqtt-sweep-write.h"

#include <cerrno>
#include <unistd.h>

namespace ns3
{
namespace mqtt
{

bool
WriteAll(int fd, const std::string& text)
{
    std::size_t done = 0;
    while (done < text.size())
    {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }
        if (n <= 0)
        {
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

} // namespace mqtt
} // namespace ns3
