#!/usr/bin/env python3
"""Slow and idle clients against a server on loopback, bounded in count and time
(the `attack` area of the end-to-end suite).

  slow_clients.py stall PORT MODE [--tls]
      MODE headers: half a request's headers, then nothing;
      MODE body: whole headers and a tenth of the body, then nothing;
      MODE handshake: a TCP connection that never starts TLS.
      Prints the seconds until the server closed the connection, or "open"
      if it still was after 40 s.
  slow_clients.py hold PORT COUNT SECONDS
      Opens COUNT connections that send nothing, prints "held N" once they are
      open, keeps them SECONDS, then closes them all.
"""
import resource
import socket
import ssl
import sys
import time

HOST = "127.0.0.1"
GIVE_UP = 40.0


def stall(port, mode, tls):
    started = time.monotonic()
    sock = socket.create_connection((HOST, port), timeout=GIVE_UP)
    if tls and mode != "handshake":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        sock = context.wrap_socket(sock, server_hostname="localhost")
    if mode == "headers":
        sock.sendall(b"POST /hook/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
    elif mode == "body":
        sock.sendall(
            b"POST /hook/x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 1000\r\n\r\n" + b"a" * 100
        )
    try:
        while sock.recv(4096):
            pass
    except socket.timeout:
        print("open")
        return
    except OSError:
        pass
    print(f"{time.monotonic() - started:.1f}")


def hold(port, count, seconds):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    held = []
    for _ in range(count):
        held.append(socket.create_connection((HOST, port), timeout=10))
    print(f"held {len(held)}", flush=True)
    time.sleep(seconds)
    for sock in held:
        sock.close()


if __name__ == "__main__":
    what, port = sys.argv[1], int(sys.argv[2])
    if what == "stall":
        stall(port, sys.argv[3], "--tls" in sys.argv[4:])
    else:
        hold(port, int(sys.argv[3]), float(sys.argv[4]))
