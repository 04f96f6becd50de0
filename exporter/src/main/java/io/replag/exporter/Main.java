package io.replag.exporter; public class Main { public static void main(String[] a){} }
