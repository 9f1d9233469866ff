/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A client on the broker's own node. ns-3 3.37 cannot carry a TCP connection from a node to its
 * own interface address: Ipv4Interface::Send hands a packet for one of the interface's own
 * addresses straight back to the node's receive path, in the same call, so the peer socket's
 * answer arrives while the sending TcpSocketBase is still inside SendDataPacket, before it has
 * moved its high transmit mark past the data just sent. The ACK (and any data it carries) then
 * acknowledges bytes the socket believes it never sent and is dropped ("Ignored ack of N
 * HighTxMark = M", TcpSocketBase::ProcessEstablished). The handshake completes (nothing is
 * acknowledged beyond what was sent), the first data segment reaches the server, and nothing
 * comes back. The loopback device (127.0.0.1) schedules its receive as a new event, so it works;
 * MqttTopologyBuilder gives clients on the broker's node the loopback address for this reason.
 *
 * The first test pins ns-3's behaviour with plain sockets: when it fails, ns-3 has been fixed
 * and the workaround can go. The second pins the workaround with the MQTT applications.
 */
#include "mqtt-sim-fixture.h"

#include "ns3/ipv4-global-routing-helper.h"
#include "ns3/socket.h"
#include "ns3/tcp-socket-factory.h"

using namespace mqtt_sim;

namespace
{

/** A TCP echo on port 7 of a node and a client on the same node sending 100 bytes to @p dst. */
struct SelfConnection
{
    uint32_t serverGot = 0;
    uint32_t clientGot = 0;
    bool connected = false;

    void
    Run(Ptr<Node> node, Ipv4Address dst)
    {
        Ptr<Socket> listen = Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
        listen->Bind(InetSocketAddress(Ipv4Address::GetAny(), 7));
        listen->Listen();
        listen->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                                  Callback<void, Ptr<Socket>, const Address&>(
                                      [this](Ptr<Socket> s, const Address&)
                                      {
                                          s->SetRecvCallback(Callback<void, Ptr<Socket>>(
                                              [this](Ptr<Socket> s)
                                              {
                                                  while (Ptr<ns3::Packet> p = s->Recv())
                                                  {
                                                      serverGot += p->GetSize();
                                                      s->Send(Create<ns3::Packet>(p->GetSize()));
                                                  }
                                              }));
                                      }));
        Ptr<Socket> client = Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
        client->Bind();
        client->SetConnectCallback(Callback<void, Ptr<Socket>>(
                                       [this](Ptr<Socket> s)
                                       {
                                           connected = true;
                                           s->Send(Create<ns3::Packet>(100));
                                       }),
                                   MakeNullCallback<void, Ptr<Socket>>());
        client->SetRecvCallback(Callback<void, Ptr<Socket>>(
            [this](Ptr<Socket> s)
            {
                while (Ptr<ns3::Packet> p = s->Recv())
                {
                    clientGot += p->GetSize();
                }
            }));
        Simulator::Schedule(Seconds(1),
                            [client, dst]() { client->Connect(InetSocketAddress(dst, 7)); });
        Simulator::Stop(Seconds(10));
        Simulator::Run();
    }
};

} // namespace

TEST_F(SimTest, Ns3TcpToTheNodesOwnInterfaceAddressCarriesNoDataBack)
{
    Star star(1);
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    SelfConnection own;
    own.Run(star.broker, star.brokerAddress[0]);
    EXPECT_TRUE(own.connected);
    EXPECT_EQ(own.serverGot, 100u); // the data gets there
    EXPECT_EQ(own.clientGot, 0u);   // ns-3 3.37: its echo is never accepted
    Simulator::Destroy();

    Star again(1);
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    SelfConnection loopback;
    loopback.Run(again.broker, Ipv4Address::GetLoopback());
    EXPECT_TRUE(loopback.connected);
    EXPECT_EQ(loopback.serverGot, 100u);
    EXPECT_EQ(loopback.clientGot, 100u);
}

// The workaround: an MQTT client on the broker's node connects to 127.0.0.1 and exchanges QoS 1
// messages both ways with clients on another node.
TEST_F(SimTest, ClientOnTheBrokersNodeOverLoopback)
{
    Star star(1);
    star.InstallBroker();
    MqttClientHelper localHelper = ClientHelper("local");
    localHelper.SetAttribute("BrokerAddress", AddressValue(Ipv4Address::GetLoopback()));
    localHelper.SetAttribute("Subscriptions", StringValue("remote/#:1"));
    localHelper.SetAttribute("Topic", StringValue("local/x"));
    localHelper.SetAttribute("Qos", UintegerValue(1));
    localHelper.SetAttribute("Interval", Constant(0.5));
    localHelper.SetAttribute("MaxMessages", UintegerValue(10));
    ApplicationContainer localApps = localHelper.Install(star.broker);
    localApps.Start(Seconds(0.5));
    Ptr<MqttClient> local = DynamicCast<MqttClient>(localApps.Get(0));
    Receiver localReceived;
    localReceived.Attach(local);

    // On the other node: a subscriber there before the local client publishes, and a publisher
    // that starts after the local client has subscribed.
    MqttClientHelper subHelper = ClientHelper("remote-sub");
    subHelper.SetAttribute("Subscriptions", StringValue("local/#:1"));
    Ptr<MqttClient> remoteSub = star.InstallClient(0, subHelper, 0.1);
    Receiver remoteReceived;
    remoteReceived.Attach(remoteSub);
    MqttClientHelper pubHelper = ClientHelper("remote-pub");
    pubHelper.SetAttribute("Topic", StringValue("remote/x"));
    pubHelper.SetAttribute("Qos", UintegerValue(1));
    pubHelper.SetAttribute("Interval", Constant(0.5));
    pubHelper.SetAttribute("MaxMessages", UintegerValue(10));
    Ptr<MqttClient> remotePub = star.InstallClient(0, pubHelper, 1.0);

    Simulator::Stop(Seconds(10));
    Simulator::Run();
    EXPECT_EQ(local->GetSessionsStarted(), 1u);
    EXPECT_EQ(local->GetPublishesCompleted(), 10u);
    EXPECT_EQ(remotePub->GetPublishesCompleted(), 10u);
    EXPECT_EQ(localReceived.Unique(), 10u);
    EXPECT_EQ(remoteReceived.Unique(), 10u);
}
