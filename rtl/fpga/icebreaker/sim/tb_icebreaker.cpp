// Test bench of the iCEBreaker board top (systole_icebreaker) for `make fpga-sim`.
//
// Drives the 12 MHz pin (the PLL model passes it through, so one loop = one system clock),
// models the board's SPI flash (W25Q128: 0xAB release from power-down, 0x03 READ) holding
// the firmware image, decodes the UART TX pin to stdout, and stops when the firmware exits
// (the SIMCTRL exit latched by the top), the boot program reports a bad image (its exit
// with BootErrCode, firmware/boot/boot.S), or a cycle limit. The boot time reported is the
// cycle of the boot program's last CS release (the firmware does not use the flash).
//
//   tb_icebreaker --flash IMAGE[@OFFSET] --uart-div N [--max-cycles N] [--quiet]
//                 [--expect-boot-error]
// Exit status: the firmware's pass (0) / fail (1); 2 for a bad image or a timeout
// (--expect-boot-error: 0 for a bad image, 2 for anything else).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "Vsystole_icebreaker.h"
#include "Vsystole_icebreaker___024root.h"
#include "verilated.h"

namespace {

// the boot program's exit code for an image with a bad magic (firmware/boot/boot.S)
constexpr uint32_t kBootErrCode = 0xB0070BADu;

// SPI flash, mode 0: samples IO0 on SCK rising, shifts IO1 out on SCK falling.
class Flash {
 public:
  explicit Flash(size_t bytes) : mem_(bytes, 0xFF) {}
  bool load(const std::string &path, size_t offset) {
    FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    std::vector<uint8_t> buf(mem_.size());
    size_t n = std::fread(buf.data(), 1, buf.size(), f);
    std::fclose(f);
    if (offset + n > mem_.size()) return false;
    std::memcpy(mem_.data() + offset, buf.data(), n);
    return true;
  }
  // Call after every evaluation with the current pin values; returns MISO.
  int step(int cs_n, int sck, int mosi) {
    if (cs_n) {
      bits_ = 0;
      dbits_ = 0;
      cmd_ = 0;
      addr_ = 0;
      sck_q_ = sck;
      return miso_;
    }
    if (sck && !sck_q_) {  // rising: sample MOSI (command and address bits)
      if (bits_ < 8) {
        cmd_ = static_cast<uint8_t>((cmd_ << 1) | (mosi & 1));
      } else if (bits_ < 32) {
        addr_ = (addr_ << 1) | static_cast<uint32_t>(mosi & 1);
      }
      if (bits_ < 32) bits_++;
      if (bits_ == 8 && cmd_ == 0xAB) woken_ = true;
    } else if (!sck && sck_q_) {  // falling: next MISO bit of a READ
      if (cmd_ == 0x03 && bits_ >= 32) {
        uint64_t n = dbits_++;  // data bits already clocked out
        if (!woken_) {
          miso_ = 1;  // a flash still in deep power-down ignores READ (output high-Z)
        } else {
          uint8_t byte = mem_[(addr_ + (n >> 3)) % mem_.size()];
          miso_ = (byte >> (7 - (n & 7))) & 1;
        }
        reads_++;
      }
    }
    sck_q_ = sck;
    return miso_;
  }
  uint64_t bits_read() const { return reads_; }

 private:
  std::vector<uint8_t> mem_;
  uint32_t bits_ = 0;
  uint64_t dbits_ = 0;
  uint8_t cmd_ = 0;
  uint32_t addr_ = 0;
  int sck_q_ = 0;
  int miso_ = 1;
  bool woken_ = false;
  uint64_t reads_ = 0;
};

// 8N1 receiver sampling the TX pin once per system clock.
class UartRx {
 public:
  explicit UartRx(unsigned div) : div_(div) {}
  // returns a byte (0..255) when one completes, -1 otherwise; -2 on a framing error
  int step(int tx) {
    if (!busy_) {
      if (prev_ && !tx) {  // start bit
        busy_ = true;
        count_ = div_ + div_ / 2;  // to the middle of bit 0
        bit_ = 0;
        byte_ = 0;
      }
      prev_ = tx;
      return -1;
    }
    prev_ = tx;
    if (--count_ != 0) return -1;
    if (bit_ < 8) {
      byte_ |= static_cast<unsigned>(tx & 1) << bit_;
      bit_++;
      count_ = div_;
      return -1;
    }
    busy_ = false;  // stop bit
    return tx ? static_cast<int>(byte_) : -2;
  }

 private:
  unsigned div_;
  bool busy_ = false;
  int prev_ = 1;
  unsigned count_ = 0, bit_ = 0, byte_ = 0;
};

void usage() {
  std::fprintf(stderr,
               "usage: tb_icebreaker --flash IMAGE[@OFFSET] --uart-div N "
               "[--max-cycles N] [--quiet] [--expect-boot-error]\n");
}

}  // namespace

int main(int argc, char **argv) {
  std::string image;
  size_t offset = 0x100000;
  unsigned uart_div = 0;
  uint64_t max_cycles = 400000000ull;
  bool quiet = false;
  bool expect_boot_error = false;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--flash" && i + 1 < argc) {
      image = argv[++i];
      size_t at = image.rfind('@');
      if (at != std::string::npos) {
        offset = std::strtoull(image.c_str() + at + 1, nullptr, 0);
        image.resize(at);
      }
    } else if (a == "--uart-div" && i + 1 < argc) {
      uart_div = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 0));
    } else if (a == "--max-cycles" && i + 1 < argc) {
      max_cycles = std::strtoull(argv[++i], nullptr, 0);
    } else if (a == "--quiet") {
      quiet = true;
    } else if (a == "--expect-boot-error") {
      expect_boot_error = true;
    } else if (a.rfind("+verilator", 0) == 0) {
      // Verilator runtime options, passed on below
    } else {
      usage();
      return 2;
    }
  }
  if (image.empty() || uart_div == 0) {
    usage();
    return 2;
  }

  Flash flash(16u << 20);
  if (!flash.load(image, offset)) {
    std::fprintf(stderr, "tb_icebreaker: cannot load %s at 0x%zx\n", image.c_str(), offset);
    return 2;
  }

  auto ctx = std::make_unique<VerilatedContext>();
  ctx->commandArgs(argc, argv);
  auto top = std::make_unique<Vsystole_icebreaker>(ctx.get());
  UartRx uart(uart_div);

  top->CLK = 0;
  top->BTN_N = 1;
  top->FLASH_IO1 = 1;
  top->eval();

  uint64_t cyc = 0, boot_cycle = 0;
  int cs_q = 1;
  bool boot_error = false;
  int status = 2;
  std::string line;
  for (; cyc < max_cycles; cyc++) {
    top->CLK = 1;
    top->eval();
    top->FLASH_IO1 = flash.step(top->FLASH_SSB, top->FLASH_SCK, top->FLASH_IO0);
    top->eval();
    top->CLK = 0;
    top->eval();
    top->FLASH_IO1 = flash.step(top->FLASH_SSB, top->FLASH_SCK, top->FLASH_IO0);
    top->eval();

    int c = uart.step(top->TX);
    if (c >= 0) {
      if (!quiet) {
        std::fputc(c, stdout);
        if (c == '\n') std::fflush(stdout);
      }
    } else if (c == -2) {
      std::fprintf(stderr, "tb_icebreaker: UART framing error at cycle %llu\n",
                   static_cast<unsigned long long>(cyc));
    }
    auto *r = top->rootp;
    if (top->FLASH_SSB && !cs_q) boot_cycle = cyc;
    cs_q = top->FLASH_SSB;
    if (r->systole_icebreaker__DOT__exit_valid &&
        r->systole_icebreaker__DOT__exit_code == kBootErrCode) {
      boot_error = true;
    }
    if (r->systole_icebreaker__DOT__exit_q) {
      // let the UART drain: the last characters may still be on the wire
      for (unsigned k = 0; k < 12 * uart_div; k++) {
        top->CLK = 1;
        top->eval();
        top->CLK = 0;
        top->eval();
        int d = uart.step(top->TX);
        if (d >= 0 && !quiet) std::fputc(d, stdout);
      }
      status = r->systole_icebreaker__DOT__fail_q ? 1 : 0;
      if (boot_error) {
        std::fprintf(stderr, "tb_icebreaker: no firmware image in the flash (bad magic)\n");
        status = 2;
      }
      break;
    }
  }
  std::fflush(stdout);
  int result = status;
  if (expect_boot_error) result = boot_error ? 0 : 2;
  if (cyc >= max_cycles) std::fprintf(stderr, "tb_icebreaker: timeout after %llu cycles\n",
                                      static_cast<unsigned long long>(cyc));
  std::fprintf(stderr,
               "tb_icebreaker: %s; firmware loaded from flash in %llu cycles (%llu bits), "
               "%llu cycles in all\n",
               status == 0 ? "PASS (exit code 0)" : status == 1 ? "FAIL (non-zero exit code)"
                                                               : "ERROR",
               static_cast<unsigned long long>(boot_cycle),
               static_cast<unsigned long long>(flash.bits_read()),
               static_cast<unsigned long long>(cyc));
  if (expect_boot_error)
    std::fprintf(stderr, "tb_icebreaker: a boot error was %s: %s\n",
                 boot_error ? "reported" : "NOT reported", result == 0 ? "PASS" : "FAIL");
  top->final();
  return result;
}
