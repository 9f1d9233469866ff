/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The floor for the MQTT star: the same devices, links, start times and message pattern with
 * plain ns-3 TCP sockets and no MQTT. Each device opens one TCP connection to port 1883 on the
 * hub and writes m messages of size bytes, one every interval ms, the first once connected.
 */
#include "star-common.h"

#include "ns3/inet-socket-address.h"
#include "ns3/node.h"
#include "ns3/packet.h"
#include "ns3/socket.h"
#include "ns3/tcp-socket-factory.h"

using namespace ns3;

namespace
{

star::StarOptions g_options;
uint64_t g_bytes = 0;
uint64_t g_connections = 0;

void
ReadAll(Ptr<Socket> socket)
{
    while (Ptr<Packet> packet = socket->Recv())
    {
        g_bytes += packet->GetSize();
    }
}

void
Accepted(Ptr<Socket> socket, const Address&)
{
    ++g_connections;
    socket->SetRecvCallback(MakeCallback(&ReadAll));
}

void
WriteMessage(Ptr<Socket> socket, uint32_t remaining)
{
    socket->Send(Create<Packet>(g_options.size));
    if (remaining > 1)
    {
        Simulator::Schedule(MilliSeconds(g_options.interval), &WriteMessage, socket, remaining - 1);
    }
}

void
Connected(Ptr<Socket> socket)
{
    WriteMessage(socket, g_options.m);
}

void
Open(Ptr<Socket> socket, Ipv4Address hub)
{
    socket->Bind();
    socket->Connect(InetSocketAddress(hub, 1883));
}

} // namespace

int
main(int argc, char** argv)
{
    star::Clock::time_point begin = star::Clock::now();
    g_options.Parse(argc, argv);
    star::StarTopology topology(g_options);

    Ptr<Socket> listener =
        Socket::CreateSocket(topology.star->GetHub(), TcpSocketFactory::GetTypeId());
    listener->Bind(InetSocketAddress(Ipv4Address::GetAny(), 1883));
    listener->Listen();
    listener->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                                MakeCallback(&Accepted));
    for (uint32_t i = 0; i < g_options.n; ++i)
    {
        Ptr<Socket> socket =
            Socket::CreateSocket(topology.star->GetSpokeNode(i), TcpSocketFactory::GetTypeId());
        socket->SetConnectCallback(MakeCallback(&Connected), MakeNullCallback<void, Ptr<Socket>>());
        Simulator::Schedule(
            Seconds(topology.startSeconds[i]), &Open, socket, topology.star->GetHubIpv4Address(i));
    }
    uint64_t expected = uint64_t(g_options.n) * g_options.m * g_options.size;
    star::RunAndReport("tcp",
                       g_options,
                       begin,
                       [expected]()
                       {
                           return "connections=" + std::to_string(g_connections) +
                                  " bytes=" + std::to_string(g_bytes) +
                                  " expected_bytes=" + std::to_string(expected);
                       });
    return g_bytes == expected ? 0 : 1;
}
