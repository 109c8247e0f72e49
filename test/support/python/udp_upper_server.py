"""The tutorials' UDP server: recvfrom(), sendto() the datagram upper-cased. Prints its port."""
import socket

server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind(('127.0.0.1', 0))
print(server.getsockname()[1], flush=True)

while True:
    data, addr = server.recvfrom(65535)
    server.sendto(data.upper(), addr)
