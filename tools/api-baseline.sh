#!/bin/sh
# Records the API of a release as the baseline the build checks API changes against (docs/development.md#api-baseline).
# Usage, from the repository root, on the release commit: tools/api-baseline.sh <released version>, e.g. 0.2.0.
# Builds bundles/api, keeps its jar as bundles/api/baseline/io/isthmus/io.isthmus.api/<version>/, drops the previous
# baseline and points api.baseline.version at the new one. Commit the result with the release.
set -eu
version=${1:?usage: tools/api-baseline.sh <released version>}
case $version in *SNAPSHOT*) echo "api-baseline: a baseline is a release, not $version" >&2; exit 2;; esac
api=bundles/api
dir=$api/baseline/io/isthmus/io.isthmus.api/$version
if [ -e "$dir" ]; then
    # Maven caches a resolved baseline in ~/.m2 by version: a version must never name two different jars
    echo "api-baseline: $dir exists; a baseline version is never reused" >&2
    exit 2
fi
mvn -B -q verify -f $api/pom.xml -Dbnd.baseline.skip=true
jar=$(ls $api/target/io.isthmus.api-*.jar | grep -v -- '-sources\|-javadoc' | head -n 1)
rm -rf $api/baseline/io/isthmus/io.isthmus.api/*
mkdir -p "$dir"
cp "$jar" "$dir/io.isthmus.api-$version.jar"
cat > "$dir/io.isthmus.api-$version.pom" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<!-- The API the baseline check compares against (docs/development.md#api-baseline); no dependencies: only read. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.isthmus</groupId>
  <artifactId>io.isthmus.api</artifactId>
  <version>$version</version>
</project>
POM
sed -i "s|<api.baseline.version>[^<]*</api.baseline.version>|<api.baseline.version>$version</api.baseline.version>|" $api/pom.xml
echo "api-baseline: $api now checks against $version ($(wc -c < "$dir/io.isthmus.api-$version.jar") bytes)"
