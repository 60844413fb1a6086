// Gradle (Kotlin DSL) build of the quick-start program; `gradle run` compiles and runs it.
plugins {
    application
}

repositories {
    mavenLocal()      // Chainrule, after `mvn install` in a checkout of it (until it is on a public repository)
    mavenCentral()
}

dependencies {
    implementation(platform("dev.chainrule:chainrule-bom:0.1.0-SNAPSHOT"))   // one version for all modules
    implementation("dev.chainrule:chainrule-optim")     // brings chainrule-nn and chainrule-core with it
    runtimeOnly("org.slf4j:slf4j-simple:2.0.16")        // Chainrule logs through SLF4J; any binding will do
}

tasks.withType<JavaCompile>().configureEach {
    options.release.set(17)
}

application {
    mainClass.set("com.example.Quickstart")
    // JDK 22+: lets netlib load the native BLAS without a warning (JDK 17 accepts it too)
    applicationDefaultJvmArgs = listOf("--enable-native-access=ALL-UNNAMED")
}
