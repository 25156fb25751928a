"""Filters one fold's test clips as another microphone would (README, "Speaker adaptation").

usage: python3 scripts/channel_filter.py telephone|muffled|tinny K
reads  manifests/fold-K.csv (path,label,speaker: the fold's RAVDESS clips),
writes channel/KIND/fold-K/*.wav and channel/KIND-fold-K.csv, to evaluate with
    emoscope eval channel/KIND-fold-K.csv --model DIR/fold-K.emomodel [--adapt]
Needs numpy and scipy; decodes FLAC with the libsndfile the app links.
"""
import ctypes, ctypes.util, numpy as np, sys, os, csv
from scipy import signal
from scipy.io import wavfile
lib = ctypes.CDLL(ctypes.util.find_library('sndfile') or 'libsndfile.so.1')
class SF_INFO(ctypes.Structure):
    _fields_=[('frames',ctypes.c_int64),('samplerate',ctypes.c_int),('channels',ctypes.c_int),('format',ctypes.c_int),('sections',ctypes.c_int),('seekable',ctypes.c_int)]
lib.sf_open.restype=ctypes.c_void_p; lib.sf_open.argtypes=[ctypes.c_char_p,ctypes.c_int,ctypes.POINTER(SF_INFO)]
lib.sf_readf_float.restype=ctypes.c_int64; lib.sf_readf_float.argtypes=[ctypes.c_void_p,ctypes.POINTER(ctypes.c_float),ctypes.c_int64]
lib.sf_close.argtypes=[ctypes.c_void_p]
def read(path):
    info=SF_INFO(); h=lib.sf_open(path.encode(),0x10,ctypes.byref(info))
    buf=(ctypes.c_float*(info.frames*info.channels))()
    n=lib.sf_readf_float(h,buf,info.frames); lib.sf_close(h)
    return np.frombuffer(buf,dtype=np.float32)[:n*info.channels].reshape(-1,info.channels).mean(1), info.samplerate
kind=sys.argv[1]; fold=sys.argv[2]
if kind=='telephone': sos=signal.butter(4,[300,3400],btype='bandpass',fs=16000,output='sos')
elif kind=='muffled': sos=signal.butter(2,1500,btype='lowpass',fs=16000,output='sos')
elif kind=='tinny': sos=signal.butter(2,800,btype='highpass',fs=16000,output='sos')
out=f'channel/{kind}/fold-{fold}'; os.makedirs(out,exist_ok=True)
rows=list(csv.reader(open(f'manifests/fold-{fold}.csv')))[1:]
lines=['path,label,speaker']
for path,label,spk in rows:
    x,sr=read(path); y=signal.sosfilt(sos,x)
    y=y/ max(1e-6,np.abs(y).max())*min(0.9,np.abs(x).max()) if kind!='none' else y
    dst=os.path.abspath(f'{out}/{os.path.basename(path)[:-5]}.wav')
    wavfile.write(dst,sr,(np.clip(y,-1,1)*32767).astype(np.int16)); lines.append(f'{dst},{label},{spk}')
open(f'channel/{kind}-fold-{fold}.csv','w').write('\n'.join(lines)+'\n')
