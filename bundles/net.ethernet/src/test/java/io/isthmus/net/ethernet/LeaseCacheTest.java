package io.isthmus.net.ethernet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.DhcpLease;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.runtime.DataFile;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseCacheTest {
    @TempDir
    Path dir;

    @Test
    void aLeaseSurvivesARestartUntilItExpires() throws Exception {
        LeaseCache cache = new LeaseCache(new DataFile(Optional.of(dir.resolve("dhcp-leases"))));
        DhcpLease lease = new DhcpLease("eth0", Ipv4Cidr.parse("100.64.1.10/24").orElseThrow(),
                Ipv4Address.parse("100.64.1.1"), List.of(Ipv4Address.parse("203.0.113.53").orElseThrow()),
                Optional.of(1500), Duration.ofHours(1));
        Instant obtained = Instant.now();
        cache.save(Map.of("eth0", lease), Map.of("eth0", obtained));

        DhcpLease back = cache.load(obtained.plusSeconds(600)).get("eth0");
        assertEquals(lease.address(), back.address());
        assertEquals(lease.router(), back.router());
        assertEquals(lease.dns(), back.dns());
        assertEquals(lease.mtu(), back.mtu());
        assertTrue(back.leaseTime().toMinutes() <= 50, "remaining time, not the original lease time");
        assertTrue(cache.load(obtained.plus(Duration.ofHours(2))).isEmpty(), "expired leases are not used");
    }
}
