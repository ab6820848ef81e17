package io.isthmus.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.UUID;
import org.ops4j.pax.exam.ExamSystem;
import org.ops4j.pax.exam.TestContainer;
import org.ops4j.pax.exam.TestContainerFactory;

/**
 * Pax Exam container factory ({@code @ExamFactory}) for {@link PerProfile} test classes: one native container
 * (Felix in this JVM) that boots the distribution being staged, in a run folder of its own under
 * {@code target/itests-work/}.
 */
public final class IsthmusContainerFactory implements TestContainerFactory {
    static final String WORK_PROPERTY = "isthmus.itests.work";

    @Override
    public TestContainer[] create(ExamSystem system) {
        Distribution dist = PerProfile.staging();
        Path runDir = workDir().resolve(dist.label() + "-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            return new TestContainer[] {
                new IsthmusContainer(system.fork(IsthmusOptions.forRun(dist, runDir)), dist, runDir) };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path workDir() {
        String work = System.getProperty(WORK_PROPERTY);
        return (work != null ? Path.of(work) : Path.of(System.getProperty("java.io.tmpdir"), "isthmus-itests"))
                .toAbsolutePath().normalize();
    }
}
