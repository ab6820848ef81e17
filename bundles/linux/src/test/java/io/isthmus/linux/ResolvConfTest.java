package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isthmus.api.net.Ipv4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResolvConfTest {
    @TempDir
    Path dir;

    @Test
    void writesNameserversAndReadsThemBack() throws Exception {
        Path file = dir.resolve("run/resolv.conf");
        ResolvConf r = new ResolvConf(file);
        List<Ipv4Address> servers = List.of(Ipv4Address.parse("203.0.113.53").orElseThrow(),
                Ipv4Address.parse("9.9.9.9").orElseThrow());
        r.setNameservers(servers);
        assertEquals(ResolvConf.HEADER + "nameserver 203.0.113.53\nnameserver 9.9.9.9\n", Files.readString(file));
        assertEquals(servers, r.nameservers());
    }

    /** /etc/resolv.conf links here: every program reads it, whatever the service's umask or a leftover temp file. */
    @Test
    void readableByEveryone() throws Exception {
        Path file = dir.resolve("resolv.conf");
        Files.writeString(dir.resolve("resolv.conf.tmp"), "left over by a crash");
        Files.setPosixFilePermissions(dir.resolve("resolv.conf.tmp"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        new ResolvConf(file).setNameservers(List.of(Ipv4Address.parse("203.0.113.53").orElseThrow()));
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file)));
    }

    @Test
    void sameServersTwiceDoesNotRewrite() throws Exception {
        Path file = dir.resolve("resolv.conf");
        ResolvConf r = new ResolvConf(file);
        List<Ipv4Address> servers = List.of(Ipv4Address.parse("203.0.113.53").orElseThrow());
        r.setNameservers(servers);
        FileTime old = FileTime.fromMillis(1_000_000);
        Files.setLastModifiedTime(file, old);
        r.setNameservers(servers);
        assertEquals(old, Files.getLastModifiedTime(file));
    }
}
