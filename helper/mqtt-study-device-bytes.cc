/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The study's byte accounting per device (doc/device-cost.md): an MqttDeviceBytes on every
 * device node, fed with the frames of the same traces the link counters count, written to
 * /device_bytes at the end of the run.
 */
#include "mqtt-study-run-context.h"

#include "ns3/csma-net-device.h"
#include "ns3/ipv6.h"
#include "ns3/lr-wpan-mac.h"
#include "ns3/lr-wpan-net-device.h"
#include "ns3/node.h"
#include "ns3/packet.h"
#include "ns3/point-to-point-net-device.h"
#include "ns3/wifi-mac.h"
#include "ns3/wifi-net-device.h"

#include <set>

namespace ns3
{
namespace mqtt
{

namespace
{

/** Link header bytes in front of the IP packet in the frames the link traces carry. */
constexpr std::size_t PPP_HEADER = 2; // MacTx/MacRx of PointToPointNetDevice: PPP protocol
constexpr std::size_t LLC_SNAP = 8;   // MacTx/MacRx of WifiMac: LLC/SNAP, no 802.11 header
constexpr std::size_t ETHERNET = 14;  // MacTx/MacRx of CsmaNetDevice: the Ethernet header

/** The bytes of @p p, in one buffer for every frame: the traces run on the simulation's one
 *  thread, and each frame is dissected before the next arrives. */
const std::vector<uint8_t>&
FrameBytes(Ptr<const ns3::Packet> p)
{
    static std::vector<uint8_t> buffer;
    buffer.resize(p->GetSize());
    p->CopyData(buffer.data(), buffer.size());
    return buffer;
}

void
SeeFrame(MqttDeviceBytes* bytes,
         MqttByteDirection direction,
         std::size_t linkHeader,
         Ptr<const ns3::Packet> p)
{
    const auto& frame = FrameBytes(p);
    bytes->OnFrame(direction, frame.data(), frame.size(), linkHeader);
}

/** An 802.15.4 frame (MAC header, 6LoWPAN, FCS), as LrWpanMac's MacTx and MacRx give it. */
void
SeeLowPanFrame(MqttDeviceBytes* bytes, MqttByteDirection direction, Ptr<const ns3::Packet> p)
{
    const auto& frame = FrameBytes(p);
    bytes->OnLowPanFrame(direction, frame.data(), frame.size());
}

/** The node's IPv6 addresses, by which the 802.15.4 accounting tells the datagrams it relays. */
std::vector<MqttDeviceBytes::Address>
Ipv6Addresses(Ptr<Node> node)
{
    std::vector<MqttDeviceBytes::Address> out;
    Ptr<Ipv6> ip = node->GetObject<Ipv6>();
    for (uint32_t i = 0; ip && i < ip->GetNInterfaces(); ++i)
    {
        for (uint32_t j = 0; j < ip->GetNAddresses(i); ++j)
        {
            out.emplace_back();
            ip->GetAddress(i, j).GetAddress().GetBytes(out.back().data());
        }
    }
    return out;
}

template<typename Source>
void
Watch(Ptr<Source> source, MqttDeviceBytes* bytes, std::size_t linkHeader)
{
    source->TraceConnectWithoutContext(
        "MacTx", MakeBoundCallback(&SeeFrame, bytes, MqttByteDirection::Tx, linkHeader));
    source->TraceConnectWithoutContext(
        "MacRx", MakeBoundCallback(&SeeFrame, bytes, MqttByteDirection::Rx, linkHeader));
}

} // namespace

void
MqttStudyRunner::Impl::WatchDeviceBytes()
{
    if (!s.output.deviceBytes)
    {
        return;
    }
    std::set<Ptr<Node>> watched;
    for (uint32_t i = 0; i < builder->Clients().size(); ++i)
    {
        const MqttBuiltClient& c = builder->Clients()[i];
        if (c.group->role != MqttClientRole::Device || !watched.insert(c.node).second)
        {
            continue;
        }
        deviceBytes.emplace_back(i, std::make_unique<MqttDeviceBytes>());
        MqttDeviceBytes* bytes = deviceBytes.back().second.get();
        for (uint32_t d = 0; d < c.node->GetNDevices(); ++d)
        {
            Ptr<NetDevice> dev = c.node->GetDevice(d);
            if (auto p2p = DynamicCast<PointToPointNetDevice>(dev))
            {
                Watch(p2p, bytes, PPP_HEADER);
            }
            else if (auto csma = DynamicCast<CsmaNetDevice>(dev))
            {
                Watch(csma, bytes, ETHERNET);
            }
            else if (auto wifi = DynamicCast<WifiNetDevice>(dev))
            {
                Watch(wifi->GetMac(), bytes, LLC_SNAP);
            }
            else if (auto lr = DynamicCast<LrWpanNetDevice>(dev))
            {
                bytes->SetOwnAddresses(Ipv6Addresses(c.node));
                lr->GetMac()->TraceConnectWithoutContext(
                    "MacTx", MakeBoundCallback(&SeeLowPanFrame, bytes, MqttByteDirection::Tx));
                lr->GetMac()->TraceConnectWithoutContext(
                    "MacRx", MakeBoundCallback(&SeeLowPanFrame, bytes, MqttByteDirection::Rx));
            }
        }
    }
}

void
MqttStudyRunner::Impl::RecordDeviceBytes()
{
    for (auto& [client, bytes] : deviceBytes)
    {
        bytes->Finish();
        for (std::size_t c = 0; c < MQTT_BYTE_CAUSES; ++c)
        {
            for (std::size_t l = 0; l < MQTT_BYTE_LAYERS; ++l)
            {
                for (auto d : {MqttByteDirection::Tx, MqttByteDirection::Rx})
                {
                    const auto& n = bytes->At(MqttByteCause(c), MqttByteLayer(l), d);
                    if (n.bytes == 0)
                    {
                        continue;
                    }
                    MqttDeviceBytesRecord r;
                    r.client = client;
                    r.cause = MqttByteCauseName(MqttByteCause(c));
                    r.layer = MqttByteLayerName(MqttByteLayer(l));
                    r.direction = MqttByteDirectionName(d);
                    r.bytes = n.bytes;
                    r.frames = n.frames;
                    recorder->Record(r);
                }
            }
        }
    }
}

} // namespace mqtt
} // namespace ns3
