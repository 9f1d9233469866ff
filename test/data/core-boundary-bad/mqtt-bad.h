// Not built: the core boundary check must reject this directory (test core-boundary-rejects).
#pragma once
#include "mqtt-posix-socket.h"
#include <chrono>
inline auto Now() { return std::chrono::steady_clock::now(); }
